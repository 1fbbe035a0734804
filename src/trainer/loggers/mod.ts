/**
 * Loggers: the `Logger` interface the trainer writes to, and `CSVLogger` (Lightning's
 * metrics.csv and hparams.yaml layout).
 *
 * @module
 */
export type { Logger } from "./logger.ts";
export { CSVLogger } from "./csv_logger.ts";
export type { CSVLoggerOptions } from "./csv_logger.ts";
