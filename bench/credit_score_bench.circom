pragma circom 2.0.0;

// credit_score_bench: the benchmark statement of issue 3, written with circomlib 2.0.5 so
// its constraint count can be compared with zkcredit's (circuits/credit_score_bench.py).
// Compile: circom2 credit_score_bench.circom --r1cs --O2 -l <dir holding circomlib/>
//
// Public: commitment, as_of, threshold, borrower, nonce. Private: 32 records
// (timestamp < 2^40, amount < 2^64, days_late < 2^16, status in {0,1,2,3}, salt) and
// blinding.
//   leaf_i     = Poseidon(timestamp, amount, days_late, status, salt)
//   root       = depth-5 Merkle root of the leaves with Poseidon(2)
//   commitment = Poseidon(root, blinding)
//   age_months = (as_of - oldest timestamp) div 2592000,  0 <= as_of - oldest < 2^40
//   score      = clamp(300 + 15 on_time - 40 late - 120 defaulted + min(age_months, 100),
//                      300, 850) >= threshold   (0 <= threshold < 2^10)
//   borrower * nonce = bind (both public inputs appear in a constraint)

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

template Record() {
    signal input timestamp;
    signal input amount;
    signal input days_late;
    signal input status;
    signal input salt;
    signal output leaf;
    signal output on_time;
    signal output late;
    signal output defaulted;

    component ts = Num2Bits(40);
    ts.in <== timestamp;
    component am = Num2Bits(64);
    am.in <== amount;
    component dl = Num2Bits(16);
    dl.in <== days_late;
    component st = Num2Bits(2);
    st.in <== status;
    defaulted <== st.out[0] * st.out[1];
    on_time <== st.out[0] - defaulted;
    late <== st.out[1] - defaulted;

    component h = Poseidon(5);
    h.inputs[0] <== timestamp;
    h.inputs[1] <== amount;
    h.inputs[2] <== days_late;
    h.inputs[3] <== status;
    h.inputs[4] <== salt;
    leaf <== h.out;
}

// min(a, b) for a, b < 2^n (the callers range-check the inputs).
template MinN(n) {
    signal input a;
    signal input b;
    signal output out;
    component lt = LessThan(n);
    lt.in[0] <== a;
    lt.in[1] <== b;
    out <== lt.out * (a - b) + b;
}

// max(a, b) for a, b < 2^n.
template MaxN(n) {
    signal input a;
    signal input b;
    signal output out;
    component lt = LessThan(n);
    lt.in[0] <== a;
    lt.in[1] <== b;
    out <== lt.out * (b - a) + a;
}

template CreditScoreBench(N, DEPTH) {
    signal input commitment;
    signal input as_of;
    signal input threshold;
    signal input borrower;
    signal input nonce;
    signal input timestamp[N];
    signal input amount[N];
    signal input days_late[N];
    signal input status[N];
    signal input salt[N];
    signal input blinding;

    component rec[N];
    var on_time = 0;
    var late = 0;
    var defaulted = 0;
    for (var i = 0; i < N; i++) {
        rec[i] = Record();
        rec[i].timestamp <== timestamp[i];
        rec[i].amount <== amount[i];
        rec[i].days_late <== days_late[i];
        rec[i].status <== status[i];
        rec[i].salt <== salt[i];
        on_time += rec[i].on_time;
        late += rec[i].late;
        defaulted += rec[i].defaulted;
    }

    // Merkle root over the N = 2^DEPTH leaves.
    component node[N - 1];
    signal level[2 * N - 1];
    for (var i = 0; i < N; i++) {
        level[i] <== rec[i].leaf;
    }
    for (var i = 0; i < N - 1; i++) {
        node[i] = Poseidon(2);
        node[i].inputs[0] <== level[2 * i];
        node[i].inputs[1] <== level[2 * i + 1];
        level[N + i] <== node[i].out;
    }
    component com = Poseidon(2);
    com.inputs[0] <== level[2 * N - 2];
    com.inputs[1] <== blinding;
    commitment === com.out;

    // Oldest timestamp (all already range-checked to 40 bits).
    component mins[N - 1];
    signal oldest[N];
    oldest[0] <== timestamp[0];
    for (var i = 1; i < N; i++) {
        mins[i - 1] = MinN(40);
        mins[i - 1].a <== oldest[i - 1];
        mins[i - 1].b <== timestamp[i];
        oldest[i] <== mins[i - 1].out;
    }

    // age_months = (as_of - oldest) div 2592000 with 0 <= as_of - oldest < 2^40.
    signal diff <== as_of - oldest[N - 1];
    component diff_bits = Num2Bits(40);
    diff_bits.in <== diff;
    signal months <-- diff \ 2592000;
    signal rem <-- diff % 2592000;
    diff === months * 2592000 + rem;
    component months_bits = Num2Bits(19);
    months_bits.in <== months;
    component rem_bits = Num2Bits(22);
    rem_bits.in <== rem;
    component rem_lt = LessThan(22);
    rem_lt.in[0] <== rem;
    rem_lt.in[1] <== 2592000;
    rem_lt.out === 1;
    component age = MinN(19);
    age.a <== months;
    age.b <== 100;

    // Score, shifted by 120 * N so every value is a non-negative 13-bit integer.
    var SHIFT = 120 * N;
    signal raw <== 300 + SHIFT + 15 * on_time - 40 * late - 120 * defaulted + age.out;
    component lo = MaxN(13);
    lo.a <== raw;
    lo.b <== 300 + SHIFT;
    component hi = MinN(13);
    hi.a <== lo.out;
    hi.b <== 850 + SHIFT;

    // score = hi.out - SHIFT is in [300, 850]; threshold must be a 10-bit integer.
    component th_bits = Num2Bits(10);
    th_bits.in <== threshold;
    component ok = LessThan(10);
    ok.in[0] <== hi.out - SHIFT;
    ok.in[1] <== threshold;
    ok.out === 0;

    signal bind <== borrower * nonce;
}

component main {public [commitment, as_of, threshold, borrower, nonce]} = CreditScoreBench(32, 5);
