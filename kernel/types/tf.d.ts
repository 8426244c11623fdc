// The preloaded `tf` namespace: TensorFlow.js values and types (`tf.tensor`, `tf.Tensor`).
export * from '@tensorflow/tfjs';
export as namespace tf;
