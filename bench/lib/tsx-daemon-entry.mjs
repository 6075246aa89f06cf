// The daemon from its TypeScript sources through tsx's loader: bench/startup.ts's comparison point.
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../../src/daemon/main.ts');
process.exitCode = await main(process.argv.slice(2));
