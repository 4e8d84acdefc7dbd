/** xmlc's version, written into every saved model's manifest. Keep equal to package.json's. */
export const VERSION = '0.1.0';
