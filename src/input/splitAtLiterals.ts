/**
 * Splits text at every occurrence of the given literals, longest first at each position, the way a
 * tokenizer partitions out its user-defined tokens before running BPE on the rest. Returns strings
 * to tokenize and the ids of matched literals, in order.
 */
export function splitAtLiterals(text: string, literals: readonly { text: string; id: number }[]): (string | { id: number })[] {
    const pieces: (string | { id: number })[] = [];
    let pending = "";
    let i = 0;
    outer: while (i < text.length) {
        for (const literal of literals) {
            if (text.startsWith(literal.text, i)) {
                if (pending) pieces.push(pending);
                pending = "";
                pieces.push({ id: literal.id });
                i += literal.text.length;
                continue outer;
            }
        }
        pending += text[i];
        i++;
    }
    if (pending) pieces.push(pending);
    return pieces;
}
