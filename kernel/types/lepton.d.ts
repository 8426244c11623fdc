// The preloaded `lepton` namespace: the library's values and types (`lepton.read.csv`, `lepton.DataFrame`).
export * from '@lepton/lib';
export as namespace lepton;
