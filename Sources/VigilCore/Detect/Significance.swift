import Foundation

/// The statistics the detectors decide with: how surprising a count is against what the
/// baseline expects, as a one-sided z score. Detectors open on evidence (significance) *and* a
/// material effect (a ratio and an absolute rise), never on a fixed factor alone: a fixed factor
/// misses a 5× rise from 1 % on a busy service and fires on three errors of a quiet one.
enum Significance {
    /// Signed root of the Poisson deviance of `observed` against `expected`: ≈ N(0, 1) under the
    /// null even for small counts (far closer to the exact tail than (o − e)/√e, which calls 3
    /// errors against 0.1 expected a 9σ event). Positive when `observed` exceeds `expected`.
    static func poissonZ(observed: Double, expected: Double) -> Double {
        guard expected > 0 else { return observed > 0 ? .infinity : 0 }
        let deviance = observed > 0 ? 2 * (observed * log(observed / expected) - (observed - expected)) : 2 * expected
        let root = max(0, deviance).squareRoot()
        return observed >= expected ? root : -root
    }

    /// Signed root of the binomial deviance of `k` successes in `n` trials against probability
    /// `p` (the exceedance test of latency: how many values lie above the baseline percentile).
    static func binomialZ(successes k: Double, trials n: Double, p: Double) -> Double {
        guard n > 0, p > 0, p < 1 else { return 0 }
        let q = k / n
        func term(_ a: Double, _ b: Double) -> Double { a > 0 ? a * log(a / b) : 0 }
        let deviance = 2 * n * (term(q, p) + term(1 - q, 1 - p))
        let root = max(0, deviance).squareRoot()
        return q >= p ? root : -root
    }

    /// The one-sided z score whose upper tail is `p` (`1e-6` → 4.75), by bisection on the
    /// complementary error function: called once per rule set, not per step.
    static func z(forUpperTail p: Double) -> Double {
        guard p > 0, p < 0.5 else { return p >= 0.5 ? 0 : 40 }
        var low = 0.0, high = 40.0
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if 0.5 * erfc(mid / 2.squareRoot()) > p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    /// The upper tail of a z score (for the records: `p_value`).
    static func upperTail(_ z: Double) -> Double { 0.5 * erfc(z / 2.squareRoot()) }

    /// An upper confidence bound (one σ) of a rate from `events` in `exposure`: a baseline of 0
    /// errors in 1,200 requests is not a ratio of exactly 0, so a first error is not infinitely
    /// surprising. Plus ½ event (Jeffreys) so that the bound is never 0.
    static func upperRate(events: Double, exposure: Double) -> Double {
        guard exposure > 0 else { return 0 }
        return (events + 0.5 + (events + 0.25).squareRoot()) / exposure
    }
}
