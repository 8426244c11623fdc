/**
 * The table of TFLite layer converters by tfjs class name: the single place that says what the TFLite exporter
 * supports. A new layer is one entry here (and its converter beside this file).
 */
import type { TfliteConverter } from './context.js';
import * as act from './activations.js';
import * as core from './core.js';
import * as conv from './conv.js';
import * as pooling from './pooling.js';
import * as norm from './normalization.js';
import { embedding } from './embedding.js';
import * as merge from './merge.js';
import * as rnn from './recurrent.js';
import * as attention from './attention.js';

/** TFLite converters by tfjs layer class name (`layer.getClassName()`). */
export const tfliteConverters: Readonly<Record<string, TfliteConverter>> = {
  Dense: core.dense,
  Activation: act.activationLayer,
  ReLU: act.reluLayer,
  LeakyReLU: act.leakyReluLayer,
  PReLU: act.preluLayer,
  ELU: act.eluLayer,
  Softmax: act.softmaxLayer,
  Flatten: core.flatten,
  Reshape: core.reshape,
  Dropout: core.identity,
  SpatialDropout1D: core.identity,
  GaussianNoise: core.identity,
  GaussianDropout: core.identity,
  AlphaDropout: core.identity,
  Conv2D: conv.conv2d,
  DepthwiseConv2D: conv.depthwiseConv2d,
  SeparableConv2D: conv.separableConv2d,
  MaxPooling1D: pooling.maxPooling1d,
  MaxPooling2D: pooling.maxPooling2d,
  AveragePooling1D: pooling.averagePooling1d,
  AveragePooling2D: pooling.averagePooling2d,
  GlobalAveragePooling1D: pooling.globalAveragePooling1d,
  GlobalAveragePooling2D: pooling.globalAveragePooling2d,
  GlobalMaxPooling1D: pooling.globalMaxPooling1d,
  GlobalMaxPooling2D: pooling.globalMaxPooling2d,
  BatchNormalization: norm.batchNormalization,
  LayerNormalization: norm.layerNormalization,
  Embedding: embedding,
  Concatenate: merge.concatenate,
  Add: merge.add,
  Multiply: merge.multiply,
  Average: merge.average,
  Maximum: merge.maximum,
  Minimum: merge.minimum,
  LSTM: rnn.lstm,
  GRU: rnn.gru,
  SimpleRNN: rnn.simpleRnn,
  LeptonPositionEmbedding: attention.positionEmbedding,
  LeptonSelfAttention: attention.selfAttention,
};

/** The layer classes the TFLite exporter supports (besides `InputLayer` and nested models), sorted. */
export const tfliteSupportedLayers: readonly string[] = Object.keys(tfliteConverters).sort();
