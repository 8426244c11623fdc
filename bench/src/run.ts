// `npm run bench -- SUITE [--json]`: Lepton and its peers on the same work in one run, ratios printed.
import { kernelSuite } from './suites/kernel.js';
import { trainSuite } from './suites/train.js';
import { dataframeSuite } from './suites/dataframe.js';
import { serveSuite } from './suites/serve.js';
import { tuneSuite } from './suites/tune.js';
import { compressSuite } from './suites/compress.js';
import { reliabilitySuite } from './suites/reliability.js';
import { timeseriesSuite } from './suites/timeseries.js';
import { imagesSuite } from './suites/images.js';
import { tfliteSuite } from './suites/tflite.js';
import { textSuite } from './suites/text.js';
import { automlSuite } from './suites/automl.js';
import { table, type Suite } from './report.js';

const suites: Suite[] = [kernelSuite, trainSuite, dataframeSuite, serveSuite, compressSuite, tuneSuite];
suites.push(reliabilitySuite, timeseriesSuite, imagesSuite, tfliteSuite, textSuite);
suites.push(automlSuite);

async function main(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const names = args.filter((a) => !a.startsWith('--'));
  const chosen = names.length === 0 ? suites : suites.filter((s) => names.includes(s.name));
  const unknown = names.filter((n) => !suites.some((s) => s.name === n));
  if (unknown.length > 0 || chosen.length === 0) {
    console.error(
      `Unknown suite ${unknown.join(', ')}. Suites: ${suites.map((s) => `${s.name} (${s.description})`).join('; ')}`,
    );
    return 2;
  }
  for (const suite of chosen) {
    const log = (line: string) => {
      console.error(`[${suite.name}] ${line}`);
    };
    const cases = await suite.run(log);
    if (json) for (const c of cases) console.log(JSON.stringify(c));
    else console.log(`\n${suite.name}: ${suite.description}\n${table(cases)}`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
