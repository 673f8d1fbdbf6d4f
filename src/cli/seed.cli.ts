import { ProgressBar } from '../common/progress.js';
import { DEMO_RESIDENTS, DEMO_SEED, SeedService } from '../seed/seed.service.js';
import { cliContext, parseOptions, runCli, UsageError } from './cli-context.js';

// npm run seed -- --residents 1000000 [--seed 20261125]: a large, deterministic data set for benchmarks.
await runCli(async () => {
  const options = parseOptions(process.argv.slice(2), {
    residents: `居民人数（默认 ${DEMO_RESIDENTS}）`,
    seed: `随机种子（默认 ${DEMO_SEED}；同一种子生成同样的数据）`,
  });
  const residents = Number(options.residents ?? DEMO_RESIDENTS);
  const seed = Number(options.seed ?? DEMO_SEED);
  if (!Number.isInteger(residents) || residents < 0 || residents > 20_000_000) throw new UsageError('--residents 应为 0 到 20000000 之间的整数');
  if (!Number.isInteger(seed)) throw new UsageError('--seed 应为整数');

  const app = await cliContext();
  const bar = new ProgressBar('写入居民', residents);
  const started = Date.now();
  try {
    const summary = await app.get(SeedService).seed({ residents, seed, onProgress: (n) => bar.update(n) });
    bar.finish(summary.residents);
    const seconds = (Date.now() - started) / 1000;
    console.log(`完成，用时 ${seconds.toFixed(1)} 秒（${Math.round(summary.residents / seconds).toLocaleString('en-US')} 位居民/秒）：`);
    console.log(`  区划 ${summary.orgUnits}，工作人员 ${summary.staff}，户 ${summary.households}，居民 ${summary.residents}，走访 ${summary.visits}，商户 ${summary.businesses}`);
  } finally {
    await app.close();
  }
});
