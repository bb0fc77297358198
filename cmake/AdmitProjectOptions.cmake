# admit_project_options: warnings-as-errors and defines for every target of this project.
# Link it PRIVATE to each project target; third-party code never sees these flags.
add_library(admit_project_options INTERFACE)
# -Wno-missing-field-initializers: designated initializers omit fields on purpose (they keep
# their defaults); GCC 12 warns about every omitted trailing field.
target_compile_options(admit_project_options INTERFACE -Wall -Wextra -Werror -Wno-missing-field-initializers)
target_compile_definitions(admit_project_options INTERFACE BOOST_DLL_USE_STD_FS)

# admit_optional_subdirectory(dir): adds dir when it has a CMakeLists.txt, so areas can grow
# independently without editing the parent.
function(admit_optional_subdirectory dir)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
    add_subdirectory(${dir})
  endif()
endfunction()
