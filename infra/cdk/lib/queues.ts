/** The sweep worker's event source mapping (same as infra/template.yaml). */
export const SWEEP_WORKER_BATCH_SIZE = 10;
export const SWEEP_WORKER_BATCHING_WINDOW_SECONDS = 5;
export const SWEEP_WORKER_MAX_CONCURRENCY = 10;
/** A worker queue message that failed this many times moves to the dead-letter queue. */
export const SWEEP_WORKER_MAX_RECEIVE_COUNT = 3;
