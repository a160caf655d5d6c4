/** Runs one task at a time, in call order: how an application had to share a Reranker before the engine batched calls. */
export class SerialQueue {
    private tail: Promise<unknown> = Promise.resolve();

    run<T>(task: () => Promise<T>): Promise<T> {
        const result = this.tail.catch(() => undefined).then(task);
        this.tail = result;
        return result;
    }
}
