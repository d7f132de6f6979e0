// Moved to @camdigikey/demo (the server seeds demo data from it in production installs too);
// re-exported here so that tests keep importing the testkit.
export * from '@camdigikey/demo/face-frames';
