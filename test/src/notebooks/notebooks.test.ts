// Every tutorial in notebooks/ runs end to end on the Lepton kernel through nbclient, and says what it claims.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stopServer } from '@lepton/server';
import { hasRayEnvironment, stopRayCluster } from '@lepton/lib';
import { join } from 'node:path';
import { repoRoot } from '../support/project.js';
import { cellText, findCell, runNotebook, type NotebookRun } from '../support/notebook.js';
import { jsonIn, type VegaLiteSpec } from '../support/mime.js';
import type { DeploymentCardData, TrainingBundle } from '@lepton/lib/contract';

/** The facts each notebook states, checked on its executed outputs. A notebook must be listed here. */
const claims: Record<string, (run: NotebookRun) => void> = {
  '00-tour.ipynb': (run) => {
    const html = (marker: string) => findCell(run, marker).outputs.find((o) => o.data?.['text/html'])?.data?.['text/html'] ?? '';
    assert.match(html('const penguins = lepton.datasets.penguins()'), /344 rows × 7 columns/);
    assert.ok(findCell(run, 'lepton.plot.scatter').outputs.some((o) => o.data?.['application/vnd.vegalite.v5+json']), 'no chart');
    assert.match(cellText(findCell(run, 'lepton.trainTestSplit')), /256 training rows, 86 test rows, classes: Adelie, Chinstrap, Gentoo/);
    const training = findCell(run, 'lepton.fit(model').outputs.find((o) => o.data?.['application/vnd.lepton.training+json']);
    assert.equal((jsonIn(training?.data, 'application/vnd.lepton.training+json') as TrainingBundle | undefined)?.status, 'finished', 'the saved training view is not the final state');
    const accuracy = Number(/test accuracy: (\d\.\d+)/.exec(cellText(findCell(run, 'test accuracy')))?.[1]);
    assert.ok(accuracy >= 0.95, `the tour's penguin classifier reached only ${accuracy}`);
    assert.match(html('lepton.export.onnx'), /penguins\.onnx/);
    assert.match(cellText(findCell(run, 'lepton.compress.report')), /int8/);
    assert.match(cellText(findCell(run, 'lepton.deploy(model')), /tour-penguins/);
    assert.match(cellText(findCell(run, 'deployment.predict')), /served 86 rows, same classes as in the notebook: true; [1-9]\d* request\(s\), 0 errors/);
    assert.match(cellText(findCell(run, 'deployment.stop()')), /tour-penguins is stopped/);
    const badgeCell = findCell(run, "badge('starting')");
    assert.ok(badgeCell.outputs.some((o) => o.data?.['text/html']?.includes('done')), 'the badge was not updated in place');
    assert.match(cellText(findCell(run, 'lepton.signal()')), /ran 5 steps; Lepton \d+\.\d+\.\d+/);
  },
  '01-dataframes.ipynb': (run) => {
    const html = (marker: string) => findCell(run, marker).outputs.find((o) => o.data?.['text/html'])?.data?.['text/html'] ?? '';
    assert.match(html('const penguins = lepton.datasets.penguins()'), /344 rows × 7 columns/);
    assert.match(cellText(findCell(run, 'const clean =')), /11 rows dropped, 333 left/);
    assert.match(html('const bySpecies'), /3 rows × 4 columns/);
    assert.match(html('const bySpecies'), /Gentoo/);
    for (const marker of ['lepton.plot.scatter', 'lepton.plot.histogram', 'lepton.plot.box', 'lepton.plot.heatmap']) {
      const data = findCell(run, marker).outputs.find((o) => o.data?.['application/vnd.vegalite.v5+json'])?.data;
      assert.ok(data, `${marker} shows a Vega-Lite v5 chart`);
      assert.match(String(data['image/svg+xml']), /^<svg /, `${marker} has an SVG fallback`);
    }
    assert.match(cellText(findCell(run, 'lepton.trainTestSplit(clean')), /train 266 rows, test 67 rows/);
    assert.match(cellText(findCell(run, 'lepton.preprocess.fromJSON(saved)')), /restored transform gives the same test frame: true/);
    assert.match(cellText(findCell(run, 'toTensor(inputs)')), /xs \[266,9\], ys \[266\], classes Adelie, Chinstrap, Gentoo/);
  },
  '02-mnist-cnn.ipynb': (run) => {
    const accuracy = Number(/held-out accuracy: (\d\.\d+)/.exec(cellText(findCell(run, 'held-out accuracy')))?.[1]);
    assert.ok(accuracy >= 0.98, `held-out accuracy ${accuracy} < 0.98`);
    const training = findCell(run, 'lepton.fit(model').outputs.find((o) => o.data?.['application/vnd.lepton.training+json']);
    assert.equal((jsonIn(training?.data, 'application/vnd.lepton.training+json') as TrainingBundle | undefined)?.status, 'finished', 'the saved training view is not the final state');
    assert.ok(findCell(run, 'lepton.models.cnn').outputs.some((o) => o.data?.['application/vnd.lepton.model+json']), 'the model summary is missing');
    assert.ok(findCell(run, 'lepton.evaluate').outputs.some((o) => o.data?.['text/html']?.includes('<svg')), 'the confusion matrix plot is missing');
  },
  '03-compression.ipynb': (run) => {
    const line = cellText(findCell(run, 'int8Row.vsBaseline.bytes'));
    const match = /int8: (\d+\.\d+)× the fp32 file, accuracy (\d+\.\d+)% → (\d+\.\d+)% \(drop (-?\d+\.\d+) points\)/.exec(line);
    assert.ok(match, `the int8 summary line is missing: ${line}`);
    const [ratio, drop] = [Number(match[1]), Number(match[4])];
    assert.ok(ratio <= 0.3, `int8 file ${ratio}× the fp32 file, > 0.3×`);
    assert.ok(drop <= 1, `int8 loses ${drop} accuracy points, > 1`);
    assert.match(findCell(run, 'lepton.compress.prune').outputs.find((o) => o.data?.['text/html'])?.data?.['text/html'] ?? '', /<table>.*80\.0%/s);
    assert.match(cellText(findCell(run, 'lepton.compress.report')), /student/);
    // TFLite: the int8 file shows its quantized I/O, the report measures the .tflite files in TensorFlow Lite's
    // interpreter, and the interpreter agrees with tfjs.
    assert.match(cellText(findCell(run, "quantize: 'int8', calibration: x.slice(0, 256), labels")), /TFLite model: \d+ bytes, int8, float graph matches tfjs/);
    assert.match(cellText(findCell(run, "'tflite int8': lite.int8 }, test)")), /tflite int8 \| int8 \| .*% \(.*pt\) \| \d+\.\d+ ms/);
    const judged = /float32 max \|Δ\| (\S+); int8 predicts the same digit for (\d+) of 200/.exec(cellText(findCell(run, 'lite.int8.interpret(sample)')));
    assert.ok(judged && Number(judged[1]) <= 1e-5 && Number(judged[2]) >= 196, `TFLite interpreter vs tfjs: ${judged?.[0]}`);
  },
  '04-deploy-and-monitor.ipynb': (run) => {
    const card = findCell(run, 'lepton.deploy(model').outputs.find((o) => o.data?.['application/vnd.lepton.deployment+json'])?.data;
    assert.equal((jsonIn(card, 'application/vnd.lepton.deployment+json') as DeploymentCardData | undefined)?.status, 'ready', 'the deployment card is missing or not ready');
    assert.match(String(card?.['text/plain']), /curl -s -X POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/tutorial-penguins\/infer/);
    assert.match(cellText(findCell(run, 'deployment.predict(')), /served and local predictions agree: true; first rows: Adelie, Adelie, Adelie, Adelie, Adelie/);
    assert.match(cellText(findCell(run, 'deployment.predictRecords(')), /v\d+ from raw records: HTTP 200, outputs of shape \[3,3\]; predictRecords agrees with the local model on scaled rows: true/);
    assert.match(String(findCell(run, 'lepton.export.pipeline(').outputs.find((o) => o.data?.['text/html'])?.data?.['text/html']), /ONNX pipeline.*4 raw inputs → 4 features → model/s);
    assert.match(cellText(findCell(run, 'whole.predict(')), /the file answers raw records as the server does: true; Triton\/KServe repository tutorial-penguins\/config.pbtxt with 4 raw inputs \(TYPE_FP32, TYPE_FP32, TYPE_FP32, TYPE_FP32\) and kserve.yaml/);
    assert.match(cellText(findCell(run, 'deployment.metrics()')), /tutorial-penguins v\d+ is ready; alert rules \{"p99Ms":20,"errorRate":0.01\}; \d+ requests, 0 errors/);
    assert.match(cellText(findCell(run, 'deployment.logs(')), /deploy/);
    assert.match(cellText(findCell(run, 'deployment.stop()')), /tutorial-penguins is stopped/);
  },
  '05-tuning.ipynb': (run) => {
    assert.match(cellText(findCell(run, 'lepton.tune(() => 0')), /Parameter 'lr' is on a log scale with low 0: log ranges need low > 0/);
    const search = findCell(run, 'trials: 12 })');
    assert.ok(search.outputs.some((o) => (jsonIn(o.data, 'application/vnd.vegalite.v5+json') as VegaLiteSpec | undefined)?.hconcat), 'the live trial chart is missing');
    const table = search.outputs.find((o) => o.data?.['text/html'])?.data?.['text/html'] ?? '';
    assert.match(table, /Finished penguins-study: 12 trials \(12 complete, 0 pruned, 0 failed\)/, 'the saved live table is not the final state');
    assert.match(table, /<th>rank<\/th><th>trial<\/th><th>val_acc<\/th><th>lr<\/th><th>units<\/th><th>dropout<\/th>/);
    const best = /best val_acc (\d\.\d+) at trial \d+: lr=[\d.e-]+, units=\d+, dropout=[\d.e-]+/.exec(cellText(findCell(run, 'study.describeBest()')));
    assert.ok(best && Number(best[1]) >= 0.9, `the best validation accuracy is missing or below 0.9: ${best?.[0]}`);
    const testAccuracy = Number(/test accuracy of the best model: (\d\.\d+)/.exec(cellText(findCell(run, 'study.describeBest()')))?.[1]);
    assert.ok(testAccuracy >= 0.9, `the tuned model's test accuracy is ${testAccuracy}`);
    const studyCell = run.cells.find((c) => c.source.trim() === 'study');
    assert.match(studyCell?.outputs.find((o) => o.data?.['text/html'])?.data?.['text/html'] ?? '', /Best configurations:.*<table>/s);
    assert.match(cellText(findCell(run, 'const more = await lepton.tune')), /resumed: 16 trials, the first 12 from the file: true/);
    const hyperband = /hyperband: ([1-9]\d*) of 20 trials stopped early; (\d+) epochs trained instead of 180/.exec(cellText(findCell(run, "strategy: 'hyperband'")));
    assert.ok(hyperband && Number(hyperband[2]) < 180, `hyperband stopped no trial early: ${cellText(findCell(run, "strategy: 'hyperband'"))}`);
    assert.match(cellText(findCell(run, 'const fragile')), /[1-9]\d* of 8 trials failed and the search went on; first: no more than 16 units on this device \(asked for \d+\)/);
    assert.match(cellText(findCell(run, 'const custom')), /custom trials: best val_acc \d\.\d+ \(model kept\)/);
  },
  '06-check-and-explain.ipynb': (run) => {
    const data = (marker: string) => findCell(run, marker).outputs.find((o) => o.data)?.data ?? {};
    assert.match(String(data('lepton.check(penguins')['text/html']), /Data quality: 344 rows × 7 columns, target Species/);
    assert.match(cellText(findCell(run, 'const missing =')), /missing values in: Beak Length \(mm\) \(2\), Beak Depth \(mm\) \(2\), Flipper Length \(mm\) \(2\), Body Mass \(g\) \(2\), Sex \(10\); duplicated rows: 0/);
    const penguinAccuracy = Number(/penguin test accuracy: (\d\.\d+)/.exec(cellText(findCell(run, 'penguin test accuracy')))?.[1]);
    assert.ok(penguinAccuracy >= 0.95, `the penguin classifier reached only ${penguinAccuracy}`);
    assert.ok(data('permutationImportance(')['application/vnd.vegalite.v5+json'], 'no importance chart');
    assert.match(cellText(findCell(run, 'const top =')), /most important: Beak (Length|Depth) \(mm\) \(accuracy drops by 0\.[1-9]\d* when it is shuffled\)/);
    assert.equal((jsonIn(data("'Flipper Length (mm)', pdOptions"), 'application/vnd.vegalite.v5+json') as VegaLiteSpec | undefined)?.mark?.type, 'line');
    const gentoo = /P\(Gentoo\) at [\d.]+ mm: (\d\.\d+); at [\d.]+ mm: (\d\.\d+)/.exec(cellText(findCell(run, 'P(Gentoo)')));
    assert.ok(gentoo && Number(gentoo[2]) > Number(gentoo[1]), `P(Gentoo) does not rise with flipper length: ${gentoo?.[0]}`);
    assert.equal((jsonIn(data("target: 'Chinstrap'"), 'application/vnd.vegalite.v5+json') as VegaLiteSpec | undefined)?.mark?.type, 'rect');
    const digitAccuracy = Number(/digit test accuracy: (\d\.\d+)/.exec(cellText(findCell(run, 'digit test accuracy')))?.[1]);
    assert.ok(digitAccuracy >= 0.85, `the small CNN reached only ${digitAccuracy}`);
    for (const marker of ["method: 'gradient'", "method: 'integratedGradients'"]) {
      const bundle = data(marker);
      assert.match(String(bundle['image/png']), /^iVBORw0KGgo/, `${marker} shows a PNG`);
      assert.equal(String(bundle['text/html']).match(/<img src="data:image\/png;base64,/g)?.length, 8, `${marker} shows 8 captioned images`);
    }
    const onInk = /heat on ink: gradient (\d\.\d+), integrated gradients (\d\.\d+)/.exec(cellText(findCell(run, 'heat on ink')));
    assert.ok(onInk && Number(onInk[2]) >= 0.95 && Number(onInk[2]) > Number(onInk[1]), `integrated gradients with a black baseline put their heat on ink: ${onInk?.[0]}`);
    assert.match(String(data('integrated.image(0)')['image/png']), /^iVBORw0KGgo/);
  },
  '09-time-series.ipynb': (run) => {
    const data = (marker: string) => findCell(run, marker).outputs.find((o) => o.data)?.data ?? {};
    assert.match(cellText(findCell(run, "weather.gaps('date', '1D')")), /1461 days from 2012-01-01 to 2015-12-31; runs of missing days: 0/);
    assert.ok(data("weather.resample('date', '1M'")['application/vnd.vegalite.v5+json'], 'the monthly chart is missing');
    assert.match(cellText(findCell(run, 'lepton.timeSplit(daily')), /train: 1095 days, test: 365 days \(all of 2015\)/);
    assert.match(cellText(findCell(run, 'lepton.preprocess.windows(prepared')), /x \[1446,14,6\], y \[1446,1\]; training windows 1081, test windows 365 from 2015-01-01/);
    // The naive MAE the notebook states, recomputed here from the CSV itself.
    const csv = readFileSync(join(repoRoot, 'node_modules', 'vega-datasets', 'data', 'seattle-weather.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const tmax = csv.map((r) => Number(r[2]));
    const from2015 = csv.findIndex((r) => r[0]!.startsWith('2015-'));
    const naiveMae = tmax.slice(from2015).reduce((s, v, i) => s + Math.abs(v - tmax[from2015 + i - 1]!), 0) / (tmax.length - from2015);
    const line = /MAE on 2015 \(°C\): naive (\d+\.\d+), seasonal naive (\d+\.\d+), linear (\d+\.\d+), LSTM (\d+\.\d+)/.exec(cellText(findCell(run, 'const lstmMae')));
    assert.ok(line, `the MAE line is missing: ${cellText(findCell(run, 'const lstmMae'))}`);
    const [naive, seasonal, linear, lstm] = line.slice(1).map(Number) as [number, number, number, number];
    assert.ok(Math.abs(naive - naiveMae) < 0.0005, `the notebook's naive MAE ${naive} is not the CSV's ${naiveMae}`);
    assert.ok(lstm < naive, `the LSTM (MAE ${lstm}) does not beat the naive baseline (${naive}) on 2015`);
    assert.ok(linear < naive, `the linear model (MAE ${linear}) does not beat the naive baseline (${naive}) on 2015`);
    assert.ok(seasonal > naive, `the seasonal naive forecast (${seasonal}) is not worse than the naive one (${naive}), as the notebook says`);
    assert.match(cellText(findCell(run, 'const lstmMae')), /the LSTM beats the naive baseline by \d+\.\d%; the linear model beats it by \d+\.\d%/);
    assert.match(String(data('const cvLinear')['text/html']), /Cross-validation of linear<\/b> \(4 folds\).*mean ± std/s);
    const cv = /walk-forward MAE over 4 folds: linear (\d\.\d+) ± \d\.\d+ °C, naive with drift (\d\.\d+) ± \d\.\d+ °C; the linear model wins [0-4] of 4 folds/.exec(cellText(findCell(run, 'const cvDrift')));
    assert.ok(cv, `the walk-forward line is missing: ${cellText(findCell(run, 'const cvDrift'))}`);
    // The notebook says the linear model does not beat the naive forecast with drift over the training years.
    assert.ok(Number(cv[1]) >= Number(cv[2]), `walk-forward: linear ${cv[1]} now beats the drift baseline ${cv[2]}; update the notebook's conclusion`);
    const forecast = jsonIn(data('lepton.plot.forecast('), 'application/vnd.vegalite.v5+json') as VegaLiteSpec | undefined;
    assert.equal(forecast?.vconcat?.length, 2, 'the forecast chart (series and residuals) is missing');
  },
  '07-images.ipynb': (run) => {
    const html = (marker: string) => findCell(run, marker).outputs.find((o) => o.data?.['text/html'])?.data?.['text/html'] ?? '';
    const dataset = html('const ds = await lepton.read.images');
    assert.match(dataset, /ImageDataset: 2000 images 28×28×1 in 10 classes/);
    assert.match(dataset, /1 file skipped/);
    assert.ok((dataset.match(/<img src="data:image\/png;base64,/g) ?? []).length >= 20, 'the dataset shows its thumbnails');
    assert.match(cellText(findCell(run, 'skipped: ${')), /train 1599, validation 401; skipped: 3\/broken\.png/);
    const training = findCell(run, 'lepton.fit(model').outputs.find((o) => o.data?.['application/vnd.lepton.training+json']);
    assert.equal((jsonIn(training?.data, 'application/vnd.lepton.training+json') as TrainingBundle | undefined)?.status, 'finished', 'the saved training view is not the final state');
    assert.match(html('const report = await lepton.evaluate'), /Worst mistakes/);
    const accuracy = Number(/validation accuracy: (\d\.\d+)/.exec(cellText(findCell(run, 'validation accuracy')))?.[1]);
    assert.ok(accuracy >= 0.9, `the digit classifier reached only ${accuracy} on the validation images`);
    assert.match(findCell(run, "method: 'integratedGradients'").outputs.find((o) => o.data?.['image/png'])?.data?.['image/png'] ?? '', /^iVBORw0KGgo/);
    assert.match(cellText(findCell(run, 'POST ${file')), /POST \d\/\d+\.png: HTTP 200, label \d/);
    const served = /served on 200 files: (\d+) right/.exec(cellText(findCell(run, 'deployment.predictImages')));
    assert.ok(served && Number(served[1]) >= 170, `the served int8 model got ${served?.[1]} of 200 right`);
    assert.match(cellText(findCell(run, 'deployment.stop()')), /digits is stopped/);
  },
  '08-text-classification.ipynb': (run) => {
    const html = (marker: string) => findCell(run, marker).outputs.find((o) => o.data?.['text/html'])?.data?.['text/html'] ?? '';
    assert.match(cellText(findCell(run, 'const mail = lepton.datasets.spamAssassin()')), /6046 messages; ham 4150, spam 1896/);
    assert.match(cellText(findCell(run, 'lepton.trainTestSplit(mail')), /4836 training and 1210 test messages/);
    assert.match(html('const tfidf = lepton.preprocess.textVectorizer'), /textVectorizer · tfidf · 2,000 ids .*<table>/s);
    const baseline = Number(/tf-idf \+ MLP: macro F1 (\d\.\d+)/.exec(cellText(findCell(run, '`tf-idf + MLP: macro F1')))?.[1]);
    assert.ok(baseline >= 0.95, `the tf-idf + MLP baseline reached a macro F1 of only ${baseline}`);
    const transformer = Number(/transformer: macro F1 (\d\.\d+)/.exec(cellText(findCell(run, '`transformer: macro F1')))?.[1]);
    assert.ok(transformer >= 0.9, `the transformer reached a macro F1 of only ${transformer}`);
    assert.ok(findCell(run, 'const report = await lepton.evaluate(model').outputs.some((o) => o.data?.['text/html']?.includes('<svg')), 'the confusion matrix is missing');
    assert.match(html('lepton.explain.tokens(model'), /predicted spam .*<span style="background:rgba\(220,38,38,/s);
    assert.match(cellText(findCell(run, 'explanation.top(5)')), /words that made it spam: \S+/);
    const agree = /int8 file: \d+ KiB; same class as the float model on (\d+\.\d)% of test messages/.exec(cellText(findCell(run, 'lepton.compress.quantize(model')));
    assert.ok(agree && Number(agree[1]) >= 97, `the int8 transformer agrees with the float one on only ${agree?.[1]}% of test messages`);
    assert.match(cellText(findCell(run, 'deployment.predictText(')), /^'?spam \([01]\.\d+\), (ham|spam) \([01]\.\d+\), (ham|spam) \([01]\.\d+\)'?$/);
    assert.match(cellText(findCell(run, "datatype: 'BYTES'")), /HTTP 200: label spam, probabilities \["[01]\.\d+","[01]\.\d+"\]/);
    assert.match(cellText(findCell(run, 'deployment.stop()')), /tutorial-spam is stopped/);
  },
  '10-automl.ipynb': (run) => {
    assert.match(cellText(findCell(run, 'const flights = await lepton.datasets.flights(20_000)')), /16000 training flights, 4000 test flights; columns delay, distance, time, late; 11\.\d% late/);
    const search = findCell(run, 'await lepton.automl(train');
    assert.ok(search.outputs.some((o) => o.data?.['application/vnd.vegalite.v5+json']), 'the leaderboard chart is missing');
    assert.match(String(search.outputs.find((o) => o.data?.['text/html']?.includes('lepton-automl'))?.data?.['text/html']), /Finished: \d+ trials/, 'the saved leaderboard is not the final state');
    const summary = run.cells.find((c) => c.source.trim() === 'result');
    assert.match(String(summary?.outputs.find((o) => o.data?.['text/html'])?.data?.['text/html']), /excluded delay \(leaky\)/);
    assert.match(cellText(findCell(run, 'result.leaderboard.byFamily()')), /best per family: .*baseline 0\.\d+ ± 0\.\d+.*; the best beats the baseline: true/);
    const accuracy = /test accuracy (\d\.\d+), against (\d\.\d+) for "always on time"/.exec(cellText(findCell(run, 'result.best!.predict(test)')));
    assert.ok(accuracy && Number(accuracy[1]) > Number(accuracy[2]), `the winner does not beat "always on time" on the test flights: ${accuracy?.[0]}`);
    assert.ok(findCell(run, 'result.best!.explain(test)').outputs.some((o) => o.data?.['application/vnd.vegalite.v5+json'] || o.data?.['text/html']), 'the importance chart is missing');
    assert.match(cellText(findCell(run, 'lepton.deploy(result.best!')), /flights-late/);
    assert.match(cellText(findCell(run, "lepton_preprocess: true")), /HTTP 200, labels \[("(late|on time)",?){5}\]; the same as in the notebook: true/);
    assert.match(cellText(findCell(run, 'deployment.stop()')), /flights-late is stopped/);
  },
  '11-ray-serve.ipynb': (run) => {
    assert.match(cellText(findCell(run, 'lepton.startRayCluster(')), /Ray cluster at 127\.0\.0\.1:\d+; Serve answers on http:\/\/127\.0\.0\.1:\d+\/v2/);
    assert.match(cellText(findCell(run, "target: { ray: { replicas: 1 } }")), /ray-penguins/);
    const http = /HTTP 200: (\w+, \w+, \w+); predictRecords on Ray: (\w+, \w+, \w+); the local deployment: (\w+, \w+, \w+) \(largest difference ([\d.e+-]+)\)/.exec(cellText(findCell(run, 'const response = await fetch(')));
    assert.ok(http, `the HTTP call's line is missing: ${cellText(findCell(run, 'const response = await fetch('))}`);
    assert.equal(http[1], http[3], 'curl-style JSON on Ray and the local deployment disagree on the classes');
    assert.equal(http[2], http[3], 'predictRecords on Ray and the local deployment disagree on the classes');
    assert.ok(Number(http[4]) < 1e-5, `Ray's probabilities differ from the local deployment's by ${http[4]}`);
    assert.match(cellText(findCell(run, 'deployment.scale(2)')), /replicas: \{"RUNNING":2\}; (2\d|[3-9]\d|\d{3,}) requests, 0 errors/);
    assert.match(cellText(findCell(run, 'lepton.stopRayCluster()')), /ray-penguins is stopped; the cluster is stopped/);
  },
};

const notebooksDir = join(repoRoot, 'notebooks');
const notebooks = readdirSync(notebooksDir).filter((name) => name.endsWith('.ipynb')).sort();

describe('the tutorials in notebooks/', () => {
  // Deployments made by the tutorials go to a Lepton home of their own, on a free port (a user's server may hold
  // 8707), whose server is stopped afterwards.
  const home = mkdtempSync(join(tmpdir(), 'lepton-notebooks-home-'));
  const previousHome = process.env.LEPTON_HOME;
  const previousPort = process.env.LEPTON_PORT;
  before(() => {
    process.env.LEPTON_HOME = home;
    process.env.LEPTON_PORT = '0';
  });
  after(async () => {
    await stopServer({ home });
    // A Ray tutorial that failed half-way leaves its local cluster running: stopped here (a no-op when none runs).
    if (hasRayEnvironment()) await stopRayCluster({ home });
    if (previousHome === undefined) delete process.env.LEPTON_HOME;
    else process.env.LEPTON_HOME = previousHome;
    if (previousPort === undefined) delete process.env.LEPTON_PORT;
    else process.env.LEPTON_PORT = previousPort;
    rmSync(home, { recursive: true, force: true });
  });

  test('every notebook has its claims listed in this test', () => {
    assert.deepEqual(notebooks.filter((name) => !claims[name]), []);
  });

  for (const name of notebooks) {
    test(`${name} runs end to end and its claims hold`, { timeout: 20 * 60_000 }, () => {
      const run = runNotebook(join(notebooksDir, name));
      assert.equal(run.error, null, `${name} failed:\n${run.error}`);
      claims[name]?.(run);
    });
  }
});
