/**
 * Lets a construct render its objects in steps named for what they are for (controller, admission webhook)
 * while adding them to the construct tree, which is the order cdk8s writes them in, in a fixed kind order:
 * the order upstream's manifest lists them in. A flag that turns a concern off then skips one step.
 */
export class OrderedObjects {
  private readonly pending: { readonly rank: number; readonly make: () => void }[] = [];
  private emitted = false;

  /** @param kindOrder every kind the construct renders, in the order they are written */
  constructor(private readonly kindOrder: readonly string[]) {}

  /** Queues an object of `kind`; returns a getter for it, valid once `emit` has run. */
  add<T>(kind: string, make: () => T): () => T {
    const rank = this.kindOrder.indexOf(kind);
    if (rank < 0) throw new Error(`OrderedObjects: kind ${kind} is not in the order (${this.kindOrder.join(', ')})`);
    let made: { value: T } | undefined;
    this.pending.push({ rank, make: () => { made = { value: make() }; } });
    return () => {
      if (!made) throw new Error(`OrderedObjects: the ${kind} is read before emit()`);
      return made.value;
    };
  }

  /** Creates the queued objects: by kind, then in the order queued. */
  emit(): void {
    if (this.emitted) throw new Error('OrderedObjects: emit() runs once');
    this.emitted = true;
    // Array.prototype.sort is stable, so objects of one kind keep the order their steps queued them in.
    for (const p of [...this.pending].sort((a, b) => a.rank - b.rank)) p.make();
  }
}
