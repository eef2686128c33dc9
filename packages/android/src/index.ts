// Public API of @shipfleet/android; filled as the build and Play modules land.
export {};
