// @shipfleet/desktop: package-electron, sign-windows, publish-github-release.
export * from './windows-sign';
export * from './electron';
export * from './github-release';
