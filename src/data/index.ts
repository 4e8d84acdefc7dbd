export { type DataFormat, type Dataset, type ParseOptions, DatasetParser } from './parser.js';
export { readDataset, parseDataset, type ReadOptions } from './reader.js';
export { writeDataset, formatDataset, formatFloat32, type WriteOptions } from './writer.js';
