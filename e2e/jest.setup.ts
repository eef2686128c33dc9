// e2e tests drive the real nx CLI in fresh workspaces: minutes, not seconds.
jest.setTimeout(300_000);
