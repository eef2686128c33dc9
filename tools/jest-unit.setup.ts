// Unit and integration specs spawn stand-ins, Prometheus, kubectl and git: on a loaded 2-core CI machine
// a few seconds is not enough, and a test cut short at jest's 5 s default leaves its children running.
jest.setTimeout(60_000);
