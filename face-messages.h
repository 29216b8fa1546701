/* face-messages: every message text of each face, side by side (the catalog face.h reads).
 * MSG(ID, hutch text, bwrap text): the hutch text follows `cannot VERB OBJECT[: REASON]`
 * (a usage error may name its option first: `--OPTION: REASON`), no capital, no final stop;
 * the bwrap text is bubblewrap 0.11.1's, or the old one where bubblewrap has none. Both take
 * the same printf arguments; the bwrap text may leave off trailing ones (C11 7.21.6.1p2:
 * excess arguments are evaluated and ignored). tests/unit-face.c checks all of it.
 * No include guard: included once per use with a different MSG(). */
