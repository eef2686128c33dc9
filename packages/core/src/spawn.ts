// The only module that imports the process library: everything that runs a
// command goes through the runner, which goes through here.
export { default as execa } from 'execa';
export type { ExecaChildProcess } from 'execa';
