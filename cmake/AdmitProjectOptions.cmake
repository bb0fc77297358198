# admit_project_options: warnings-as-errors and defines for every target of this project.
# Link it PRIVATE to each project target; third-party code never sees these flags.
add_library(admit_project_options INTERFACE)
# -Wno-missing-field-initializers: designated initializers omit fields on purpose (they keep
# their defaults); GCC 12 warns about every omitted trailing field.
target_compile_options(admit_project_options INTERFACE -Wall -Wextra -Werror -Wno-missing-field-initializers)
# GCC 12 at -O2/-O3 reports -Wrestrict on std::string's own code when a literal is prepended to a
# temporary ("k" + std::to_string(i)): GCC bug 105329, a false positive fixed in GCC 13. Without
# this the optimised build of the tests (build/bench) fails on correct code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(admit_project_options INTERFACE -Wno-restrict)
endif()
target_compile_definitions(admit_project_options INTERFACE BOOST_DLL_USE_STD_FS)

# admit_optional_subdirectory(dir): adds dir when it has a CMakeLists.txt, so areas can grow
# independently without editing the parent.
function(admit_optional_subdirectory dir)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
    add_subdirectory(${dir})
  endif()
endfunction()
