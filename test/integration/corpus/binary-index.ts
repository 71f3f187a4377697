import type { BinaryScript } from '../support/binary-script.js';
import { binaryAdminScripts } from './binary-admin.js';
import { binaryArithmeticScripts } from './binary-arithmetic.js';
import { binaryErrorScripts } from './binary-errors.js';
import { binaryStorageScripts } from './binary-storage.js';

/** Every hand-written binary-protocol script. */
export const binaryCorpus: BinaryScript[] = [...binaryStorageScripts, ...binaryArithmeticScripts, ...binaryAdminScripts, ...binaryErrorScripts];
