// The preloaded `aq` namespace: Arquero's values and types (`aq.table`, `aq.ColumnTable`).
export * from 'arquero';
export as namespace aq;
