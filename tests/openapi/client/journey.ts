// A buyer's first steps through a client generated from /openapi.json: sign up, log in, read who
// they are and the seat map of a schedule. Types come from schema.d.ts (openapi-typescript), so
// `tsc --strict` fails when the document and these calls disagree; the run fails when the server
// and the document disagree. Usage: node journey.js <baseUrl> <scheduleId>
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

// Node's own globals, declared here rather than pulling in @types/node for two fields.
declare const process: { argv: string[]; pid: number };

const [baseUrl, scheduleId] = process.argv.slice(2);
if (!baseUrl || !scheduleId) throw new Error("usage: journey.js <baseUrl> <scheduleId>");

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`generated client: ${what}`);
}

const client = createClient<paths>({ baseUrl });
const email = `ts-client-${process.pid}@client.test`;
const password = "long-enough-password";

const signedUp = await client.POST("/api/v1/auth/signup", {
  body: { email, password, name: "Generated Client" },
});
check(signedUp.response.status === 201, `signup answered ${signedUp.response.status}`);

const loggedIn = await client.POST("/api/v1/auth/login", { body: { email, password } });
check(loggedIn.data !== undefined, `login answered ${loggedIn.response.status}`);
const accessToken = loggedIn.data!.accessToken ?? "";
const refreshToken = loggedIn.data!.refreshToken ?? "";
check(accessToken.length > 0 && refreshToken.length > 0, "login gave no tokens in the body");

const authorized = createClient<paths>({
  baseUrl,
  headers: { Authorization: `Bearer ${accessToken}` },
});
const me = await authorized.GET("/api/v1/auth/me");
check(me.data !== undefined, `me answered ${me.response.status}`);

const seatMap = await authorized.GET("/api/v1/schedules/{scheduleId}/seats", {
  params: { path: { scheduleId } },
});
check(seatMap.data !== undefined, `seat map answered ${seatMap.response.status}`);
const seats = seatMap.data!.seats;
check(Array.isArray(seats) && seats.length > 0, "the seat map has no seats");

// An error is typed too: a schedule that does not exist is a 404 with the standard error body.
const missing = await client.GET("/api/v1/schedules/{scheduleId}/seats", {
  params: { path: { scheduleId: "no-such-schedule" } },
});
check(missing.response.status === 404, `a missing schedule answered ${missing.response.status}`);
check(missing.error?.code === "NOT_FOUND", "the 404 has no NOT_FOUND code");

console.log(`generated client: ${seats.length} seats read as ${email}`);
