/** The part of jsfive (a pure-JS HDF5 reader, no types shipped) that models/keras/h5.ts uses. */
declare module 'jsfive' {
  type Attrs = Record<string, unknown>;
  export class Dataset {
    readonly shape: number[];
    readonly dtype: string | unknown;
    readonly value: ArrayLike<number>;
    readonly attrs: Attrs;
  }
  export class Group {
    readonly keys: string[];
    readonly attrs: Attrs;
    get(path: string): Group | Dataset;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename: string);
  }
}
