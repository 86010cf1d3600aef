export * from './import.types';
export { ImportReaderError } from './import-reader.error';
export type { ImportReaderErrorCode } from './import-reader.error';
export { readImportBatches } from './import-batches.reader';
export { renderProgress } from './import-progress.renderer';
export type { ImportProgress } from './import-progress.renderer';
export { isOnlineRetailNonProduct, ONLINE_RETAIL_NON_PRODUCT_CODES } from './online-retail.format';
