// Public API of @shipfleet/android: the build (Gradle, Flutter, React Native; signing, verification) and Google Play publishing.
export * from './build';
export * from './play';
