import { RecsysError } from './recsys.errors';

/** Dense, insertion-ordered mapping between external string ids and integer indices 0..size-1. */
export class IdMap {
  private readonly byId = new Map<string, number>();
  private readonly ids: string[] = [];

  constructor(ids: Iterable<string> = []) {
    for (const id of ids) this.add(id);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Index of `id`, adding it when new. */
  add(id: string): number {
    let index = this.byId.get(id);
    if (index === undefined) {
      index = this.ids.length;
      this.byId.set(id, index);
      this.ids.push(id);
    }
    return index;
  }

  /** Index of `id`, or -1 when unknown. */
  indexOf(id: string): number {
    return this.byId.get(id) ?? -1;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  idOf(index: number): string {
    const id = this.ids[index];
    if (id === undefined)
      throw new RecsysError('RECSYS.BAD_PARAMS', `index ${index} is out of range 0..${this.size - 1}`);
    return id;
  }

  toArray(): readonly string[] {
    return this.ids;
  }
}
