export { type DataFormat, type Dataset, type ParseOptions, DatasetParser } from './parser.js';
export { readDataset, readDatasetStream, parseDataset, type ReadOptions } from './reader.js';
export { openRegularFile } from './file.js';
export { writeDataset, formatDataset, formatFloat32, type WriteOptions } from './writer.js';
