/**
 * `lepton.deploy(model, opts)` and `lepton.deployments()`: serve a model from the notebook on the Lepton server
 * of the Lepton home (started on demand, detached, so deployments outlive the kernel) and find them again.
 */
import type { AlertRules, BatchingOptions, DeployMeta } from '@lepton/server';
import type { ImageFit } from '@lepton/server/preprocess';
import { trainedOn } from '../images/trained.js';
import { textInputOf } from './text-input.js';
import { Deployment } from './deployment.js';
import { DeployError } from './errors.js';
import {
  defaultName,
  deployBundleSymbol,
  isDeployBundleSource,
  onnxBytes,
  type Deployable,
  type DeployBundleSource,
} from './model-source.js';
import { GradientBoosting } from '../models/gradient-boosting/model.js';
import { connect, loadServer, serverError, type ServerOptions } from './server.js';
import { deployToRay, rayDeployments, type RayDeployRequest } from './ray/deploy-ray.js';
import type { RayDeployment } from './ray/ray-deployment.js';
import type { RayTarget } from './ray/types.js';

/** How a deployment makes its model's input from image files (as `lepton.read.images` read the training images). */
export interface DeployImage {
  /** `[height, width]` the files are resized to. */
  size: [number, number];
  /** 1 (grey) or 3 (RGB, default). */
  channels?: 1 | 3;
  /** How a file of another aspect ratio is fitted: `cover` (default), `contain` or `fill`. */
  fit?: ImageFit;
}

/** Options of `lepton.deploy`. */
export interface DeployOptions extends ServerOptions {
  /** The deployment's name (letters, digits, `_ . -`; default: the model's name). Deploying a name again adds a version. */
  name?: string;
  /** Alert rules judged by the server over the last minute, e.g. `{ p99Ms: 20, errorRate: 0.01 }`. */
  alerts?: AlertRules;
  /** Dynamic batching (default: up to 32 rows, no added delay). */
  batching?: Partial<BatchingOptions>;
  /**
   * Fitted preprocessing transforms (`lepton.preprocess` transforms or their JSON), in order. The server applies
   * them to raw records (`Deployment.predictRecords`, or `parameters.lepton_preprocess` over HTTP) before the
   * model; the deploy is refused when it could not (a transform not fitted, a model without one
   * `[batch, features]` FP32 input, features that do not match the model). Or `[vectorizer]`, a fitted
   * `textVectorizer` alone: the server then takes raw texts (`Deployment.predictText`, or BYTES `texts` with
   * `parameters.lepton_preprocess` over HTTP) and vectorizes them as the notebook did.
   */
  transforms?: unknown[];
  /**
   * The model input's columns after the transforms, in order, as in `transform(df).toTensor(features)` (default:
   * the columns the transforms produce, in the order they first name them). A column no transform names is read
   * from the record as it is.
   */
  features?: string[];
  /**
   * How the server makes the model's input from image files (`{ size, channels, fit }`, as `lepton.read.images`
   * read the training images; default: those of the image dataset the model was trained on with `lepton.fit`).
   * The server then takes base64 image files (`Deployment.predictImages`, or `parameters.lepton_preprocess` over
   * HTTP) and decodes them with the same code as training. `false`: tensors only.
   */
  image?: DeployImage | false;
  /**
   * The names of the classes in output order (default: those of the image dataset the model was trained on): the
   * server answers every request with a BYTES `label` output beside the probabilities.
   */
  classes?: string[];
  /** Training or evaluation metrics to keep with the version, e.g. `{ accuracy: 0.97 }`. */
  metrics?: Record<string, number>;
  /** Free text shown in status. */
  description?: string;
  /** How long to wait for the model to be ready (default 60 s). */
  timeoutMs?: number;
  /**
   * Where to serve it: the Lepton server (default), or `{ ray: { address?, replicas? | autoscaling?, httpPort? } }`,
   * a Ray Serve application on a running Ray cluster (default: the local one of `npx lepton ray start`), which
   * returns a `RayDeployment`.
   */
  target?: {
    /** Deploy to Ray Serve: the cluster, the replicas or autoscaling, and the HTTP port. */
    ray?: RayTarget;
  };
}

/**
 * Deploys a model: exports it to ONNX (fp32, verified against tfjs; or deploys the ONNX bytes given, e.g. a
 * compressed variant), registers it as a new version on the Lepton server (started if none runs), waits until it
 * serves and returns its `Deployment`, which displays as a card with its URL and example calls.
 * Throws `DeployError`: `LEPTON_NOT_EXPORTABLE` (naming the layer), `LEPTON_NO_SERVER_BINARY`, `LEPTON_PORT_BUSY`,
 * `LEPTON_DEPLOY_FAILED`, `LEPTON_SERVER` (a refusal, e.g. a bad name).
 * @param model a tfjs LayersModel, a fitted `lepton.models.gradientBoosting` (deployed with its encoder, feature
 *   columns and classes, so it answers raw records), ONNX bytes (a `Uint8Array`, or an object with one in `data`), or
 *   a model with its preprocessing (`lepton.automl`'s `result.best`: deployed with its transforms, so the server
 *   takes raw records)
 * @param opts name, alert rules, batching, transforms and features, and where the server runs
 * @example const deployment = await lepton.deploy(model, { name: 'penguins', alerts: { p99Ms: 20, errorRate: 0.01 } });
 * @example const deployment = await lepton.deploy(model, { name: 'penguins', transforms: [scaler], features });
 * @example const deployment = await lepton.deploy(model, { name: 'digits', image: { size: [28, 28], channels: 1 } });
 * @example const deployment = await lepton.deploy(model, { name: 'spam', transforms: [vectorizer], classes: ['ham', 'spam'] });
 */
export async function deploy(
  model: Deployable | DeployBundleSource,
  opts: DeployOptions & { target: { ray: RayTarget } },
): Promise<RayDeployment>;
export async function deploy(model: Deployable | DeployBundleSource, opts?: DeployOptions): Promise<Deployment>;
export async function deploy(
  model: Deployable | DeployBundleSource,
  opts: DeployOptions = {},
): Promise<Deployment | RayDeployment> {
  if (isDeployBundleSource(model)) {
    // The bundle's transforms, features and classes, unless the call gives its own.
    const bundle = await model[deployBundleSymbol]();
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as DeployOptions;
    const from = {
      transforms: bundle.transforms,
      features: bundle.features,
      classes: bundle.classes,
      name: bundle.name,
    };
    return deploy(bundle.model, {
      ...(Object.fromEntries(Object.entries(from).filter(([, v]) => v !== undefined)) as DeployOptions),
      ...given,
    });
  }
  const name = opts.name ?? defaultName(model);
  if (name === undefined)
    throw new DeployError(
      'LEPTON_SERVER',
      'Deploying ONNX bytes needs a name: lepton.deploy(bytes, { name: "my-model" }).',
    );
  if (opts.target?.ray) return deployToRay(model, rayRequest(model, name, opts, opts.target.ray));
  const bytes = await onnxBytes(model, name);
  const { client, home } = await connect(opts);
  const meta: DeployMeta = {};
  if (opts.alerts) meta.alerts = opts.alerts;
  if (opts.batching) meta.batching = opts.batching;
  // A text vectorizer is the model's raw input (the server vectorizes texts), not a transform of records.
  const text = textInputOf(opts.transforms);
  if (text) meta.rawInput = text;
  else if (opts.transforms) meta.transforms = opts.transforms.map((t) => JSON.parse(JSON.stringify(t)) as unknown);
  if (opts.features) meta.features = opts.features;
  if (model instanceof GradientBoosting && !text) Object.assign(meta, gradientBoostingMeta(model, opts));
  // A model trained on an image dataset is deployed with its image preprocessing and class names unless told otherwise.
  const trained = trainedOn(model);
  const image = opts.image ?? (opts.transforms ? undefined : trained?.image);
  if (image && !text)
    meta.rawInput = { kind: 'image', size: image.size, channels: image.channels ?? 3, fit: image.fit ?? 'cover' };
  const classes = opts.classes ?? trained?.classNames ?? meta.classes;
  if (classes) meta.classes = classes;
  if (opts.metrics) meta.metrics = opts.metrics;
  if (opts.description !== undefined) meta.description = opts.description;
  let info;
  try {
    info = await client.deploy(name, bytes, meta);
  } catch (error) {
    throw serverError(`Deploying "${name}"`, error);
  }
  return new Deployment(client, info, home).ready(opts.timeoutMs);
}

/**
 * What a gradient-boosting model brings to its deployment: its encoder runs on the server after the given
 * transforms (so raw records arrive as the DataFrames it was fitted on), its feature columns are the model input
 * and its classes label the probabilities. A feature still missing after the transforms reaches the trees as NaN
 * and takes the learned default direction (ONNX TreeEnsemble tracks NaN), as `gbm.predict` does.
 */
function gradientBoostingMeta(gbm: GradientBoosting, opts: DeployOptions): DeployMeta {
  const meta: DeployMeta = {};
  const transforms = [...(opts.transforms ?? []), ...(gbm.options.encoder ? [gbm.options.encoder] : [])];
  if (transforms.length > 0) meta.transforms = transforms.map((t) => JSON.parse(JSON.stringify(t)) as unknown);
  meta.features = opts.features ?? gbm.featureNames;
  if (gbm.classes.length > 0) meta.classes = gbm.classes.map(String);
  meta.missingValues = 'nan';
  return meta;
}

/**
 * What `deployToRay` gets from `lepton.deploy`'s options: the transforms and features the pipeline graph is made
 * of (a gradient-boosting model's encoder after the given transforms, its feature columns by default, as on the
 * Lepton server). Throws `LEPTON_BAD_INPUT` for what a pipeline graph cannot take: image files, whose decoding
 * stays on the Lepton server.
 */
function rayRequest(model: Deployable, name: string, opts: DeployOptions, target: RayTarget): RayDeployRequest {
  if (opts.image) {
    throw new DeployError(
      'LEPTON_BAD_INPUT',
      `Deploying "${name}" to Ray with an image input: Ray replicas serve one ONNX graph, and image files are ` +
        'decoded on the Lepton server only. Deploy it to the Lepton server (leave out target.ray), or send decoded tensors to a Ray deployment made without { image }.',
    );
  }
  const gbm =
    model instanceof GradientBoosting && !textInputOf(opts.transforms) ? gradientBoostingMeta(model, opts) : undefined;
  const transforms = gbm ? gbm.transforms : opts.transforms;
  const features = gbm?.transforms ? gbm.features : opts.features;
  return {
    name,
    target,
    ...(opts.batching ? { batching: opts.batching } : {}),
    ...(opts.home ? { home: opts.home } : {}),
    ...(transforms ? { transforms } : {}),
    ...(features ? { features } : {}),
  };
}

/**
 * Every deployment of the Lepton home's server, serving or stopped, oldest name first, then those on the home's
 * local Ray cluster (`npx lepton ray start`), when one runs. They outlive the kernel: after a restart this finds them
 * again (and starts the server, which restores them, if none runs).
 * @example const [first] = await lepton.deployments();
 */
export async function deployments(opts: ServerOptions = {}): Promise<Array<Deployment | RayDeployment>> {
  const { client, home } = await connect(opts);
  let local: Deployment[];
  try {
    const list = await client.list();
    local = await Promise.all(
      list.map(async (summary) => new Deployment(client, await client.status(summary.name), home)),
    );
  } catch (error) {
    throw serverError('Listing deployments', error);
  }
  return [...local, ...(await rayDeployments((await loadServer()).leptonHome(opts.home)))];
}
