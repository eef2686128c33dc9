export * from './options';
export * from './plan';
export { OSSLSIGNCODE_EXTENSIONS, osslsigncodeSignArgs, osslsigncodeVerifyArgs } from './osslsigncode';
export { signtoolSignArgs, signtoolVerifyArgs } from './signtool';
export type { SigntoolCertificate, SigntoolSignInput } from './signtool';
export { FILE_PLACEHOLDER as SIGN_COMMAND_FILE_PLACEHOLDER, OUTPUT_PLACEHOLDER as SIGN_COMMAND_OUTPUT_PLACEHOLDER } from './sign-command';
