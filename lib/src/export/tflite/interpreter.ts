/**
 * TensorFlow Lite's own interpreter, run in a Python subprocess: it loads a `.tflite` file, lists its ops, runs it
 * on a batch and times it. It is the judge of Lepton's files in tests, the latency column of `compress.report`, and
 * the bench's meter. The Python comes from `LEPTON_TFLITE_PYTHON`, the project's `.venv-tflite` (made by
 * `lepton setup --tflite`; `LEPTON_TFLITE_VENV` moves it), or `python3`, whichever imports TensorFlow first.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TfliteError } from './errors.js';

/** The script the subprocess runs: a JSON request in, a JSON answer out, tensors as raw little-endian files. */
const SCRIPT = String.raw`
import json, sys, time
import numpy as np
import tensorflow as tf

def detail(d):
    q = d["quantization_parameters"]
    return {"name": d["name"], "index": int(d["index"]), "shape": [int(x) for x in d["shape"]], "dtype": np.dtype(d["dtype"]).name,
            "scales": [float(x) for x in q["scales"]], "zeroPoints": [int(x) for x in q["zero_points"]]}

def run(job, k):
    interp = tf.lite.Interpreter(model_path=job["model"], num_threads=job.get("threads", 1))
    answer = {"ops": sorted({d["op_name"] for d in interp._get_ops_details()}), "version": tf.__version__}
    feeds = job.get("inputs")
    if feeds is not None:
        arrays = []
        for d, f in zip(interp.get_input_details(), feeds):
            a = np.fromfile(f["path"], dtype=f["dtype"]).reshape(f["shape"])
            arrays.append(a)
            interp.resize_tensor_input(d["index"], a.shape)
        interp.allocate_tensors()
        for d, a in zip(interp.get_input_details(), arrays):
            if d["dtype"] == np.int8 and a.dtype != np.int8:
                scale, zero = d["quantization"]
                a = np.clip(np.round(a / scale + zero), -128, 127)
            interp.set_tensor(d["index"], a.astype(d["dtype"]))
        interp.invoke()
        outs = []
        for j, d in enumerate(interp.get_output_details()):
            y = interp.get_tensor(d["index"])
            if d["dtype"] == np.int8:
                scale, zero = d["quantization"]
                y = (y.astype(np.float32) - zero) * scale
            path = "%s/out%d_%d.bin" % (job["out"], k, j)
            y.astype(np.float32).tofile(path)
            outs.append({"path": path, "shape": [int(x) for x in y.shape]})
        answer["outputs"] = outs
    else:
        interp.allocate_tensors()
    answer["inputDetails"] = [detail(d) for d in interp.get_input_details()]
    answer["outputDetails"] = [detail(d) for d in interp.get_output_details()]
    repeats = job.get("repeats", 0)
    if repeats:
        interp = tf.lite.Interpreter(model_path=job["model"], num_threads=job.get("threads", 1))
        interp.allocate_tensors()
        rng = np.random.default_rng(0)
        for d in interp.get_input_details():
            if np.issubdtype(d["dtype"], np.floating):
                interp.set_tensor(d["index"], rng.random(d["shape"], dtype=np.float32).astype(d["dtype"]))
            else:
                interp.set_tensor(d["index"], np.zeros(d["shape"], dtype=d["dtype"]))
        for _ in range(min(50, repeats)):
            interp.invoke()
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            interp.invoke()
            times.append((time.perf_counter() - t) * 1000)
        answer["latencyMs"] = float(np.median(times))
    return answer

answers = []
for k, job in enumerate(json.load(open(sys.argv[1]))):
    try:
        answers.append(run(job, k))
    except Exception as e:
        answers.append({"error": "%s: %s" % (type(e).__name__, e)})
print(json.dumps(answers))
`;

/** A tensor as the interpreter describes it. */
export interface InterpreterTensor {
  /** The tensor's name. */
  name: string;
  /** Its index in the subgraph. */
  index: number;
  /** Its shape. */
  shape: number[];
  /** numpy's dtype name (`float32`, `int8`, …). */
  dtype: string;
  /** Quantization scales (empty when not quantized). */
  scales: number[];
  /** Zero points. */
  zeroPoints: number[];
}

/** One output of an interpreter run, dequantized to float32. */
export interface InterpreterOutput {
  /** The values, row-major. */
  data: Float32Array;
  /** The shape. */
  shape: number[];
}

/** What one interpreter run reports. */
export interface InterpreterRun {
  /** The builtin (or custom) op names the file uses, as the interpreter names them. */
  ops: string[];
  /** TensorFlow's version. */
  version: string;
  /** The inputs (after resizing to the batch, when one was run). */
  inputDetails: InterpreterTensor[];
  /** The outputs (likewise). */
  outputDetails: InterpreterTensor[];
  /** The outputs, dequantized to float32, when inputs were given. */
  outputs?: InterpreterOutput[];
  /** The median time of one invoke at batch 1, when asked. */
  latencyMs?: number;
}

/** A feed: values and shape (batch first); int32 for token ids. */
export interface InterpreterFeed {
  /** The values, row-major. */
  data: Float32Array | Int32Array;
  /** The shape, batch first. */
  shape: number[];
}

/** The project root when Lepton runs from its repository (lib/dist/export/tflite → four levels up). */
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

let found: string | null | undefined;

/** Pythons that may have TensorFlow, in the order they are tried. */
export function candidatePythons(): string[] {
  const venv =
    process.env.LEPTON_TFLITE_VENV ?? join(process.env.LEPTON_PROJECT_ROOT ?? repositoryRoot, '.venv-tflite');
  return [process.env.LEPTON_TFLITE_PYTHON, join(venv, 'bin', 'python'), 'python3'].filter((p): p is string =>
    Boolean(p),
  );
}

/** The first Python that imports TensorFlow Lite's interpreter, or null (the answer is kept for the process). */
export function tflitePython(): string | null {
  if (found !== undefined) return found;
  found = null;
  for (const python of candidatePythons()) {
    try {
      execFileSync(python, ['-c', 'import tensorflow.lite'], {
        stdio: 'ignore',
        timeout: 120_000,
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
      });
      found = python;
      break;
    } catch {
      // not this one
    }
  }
  return found;
}

/** The interpreter's Python, or an error that says how to get one. */
export function requireTflitePython(): string {
  const python = tflitePython();
  if (!python) {
    throw new TfliteError(
      'LEPTON_TFLITE_NO_INTERPRETER',
      `No Python with TensorFlow Lite's interpreter was found (tried ${candidatePythons().join(', ')}). ` +
        'Run `lepton setup --tflite` (it makes .venv-tflite with tensorflow-cpu), or set LEPTON_TFLITE_PYTHON to a Python that has tensorflow.',
    );
  }
  return python;
}

/** One file to run: what to feed, how many timed invokes. */
export interface InterpreterJob {
  /** The `.tflite` file (or give its `bytes`). */
  model?: string;
  /** The file's bytes, when it is not on disk. */
  bytes?: Uint8Array;
  /** Inputs, one per model input, run as one batch. */
  feeds?: InterpreterFeed[];
  /** Timed invokes at batch 1 (after a warm-up), reported as their median. */
  repeats?: number;
  /** Interpreter threads (default 1). */
  threads?: number;
}

/**
 * Runs several files in one Python process (TensorFlow's import costs seconds, once): each is loaded, its ops
 * listed, its tensors allocated, then run on its feeds and timed as asked. A file the interpreter rejects fails
 * the whole call with the interpreter's message.
 */
export async function runInterpreterJobs(jobs: readonly InterpreterJob[]): Promise<InterpreterRun[]> {
  const python = requireTflitePython();
  const dir = mkdtempSync(join(tmpdir(), 'lepton-tflite-'));
  const modelFile = (job: InterpreterJob, k: number): string => {
    if (job.model) return resolve(job.model);
    if (!job.bytes)
      throw new TfliteError('LEPTON_TFLITE_BAD_OPTION', 'an interpreter job needs a model path or its bytes');
    const file = join(dir, `model${k}.tflite`);
    writeFileSync(file, job.bytes);
    return file;
  };
  try {
    const request = jobs.map((job, k) => ({
      model: modelFile(job, k),
      out: dir,
      repeats: job.repeats ?? 0,
      threads: job.threads ?? 1,
      inputs: job.feeds?.map((f, i) => {
        const path = join(dir, `in${k}_${i}.bin`);
        writeFileSync(path, new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength));
        return { path, shape: f.shape, dtype: f.data instanceof Int32Array ? 'int32' : 'float32' };
      }),
    }));
    const requestPath = join(dir, 'request.json');
    writeFileSync(requestPath, JSON.stringify(request));
    const script = join(dir, 'run.py');
    writeFileSync(script, SCRIPT);
    const stdout = await new Promise<string>((ok, fail) => {
      execFile(
        python,
        [script, requestPath],
        { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } },
        (error, out, err) => {
          if (error)
            fail(
              new TfliteError(
                'LEPTON_TFLITE_INTERPRETER_FAILED',
                `TensorFlow Lite's interpreter (${python}) failed: ${err.trim().split('\n').slice(-3).join(' ') || error.message}`,
              ),
            );
          else ok(out);
        },
      );
    });
    type Answer = Omit<InterpreterRun, 'outputs'> & { outputs?: { path: string; shape: number[] }[]; error?: string };
    const answers = JSON.parse(stdout.trim().split('\n').pop()!) as Answer[];
    return answers.map((answer, k) => {
      if (answer.error)
        throw new TfliteError(
          'LEPTON_TFLITE_INTERPRETER_FAILED',
          `TensorFlow Lite's interpreter could not run ${jobs[k]!.model ?? `variant ${k}`}: ${answer.error}`,
        );
      const { outputs, ...rest } = answer;
      if (!outputs) return rest;
      return {
        ...rest,
        outputs: outputs.map((o) => {
          const bytes = readFileSync(o.path);
          return {
            data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
            shape: o.shape,
          };
        }),
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Loads `modelPath` in TensorFlow Lite's interpreter; with `feeds`, runs them as one batch; with `repeats`, times
 * that many invokes at batch 1 (after a warm-up) on one thread.
 */
export async function runInterpreter(
  modelPath: string,
  opts: Omit<InterpreterJob, 'model'> = {},
): Promise<InterpreterRun> {
  const [run] = await runInterpreterJobs([{ model: modelPath, ...opts }]);
  return run!;
}
