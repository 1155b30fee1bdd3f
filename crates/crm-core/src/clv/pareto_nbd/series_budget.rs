//! The work a Pareto/NBD fit may do (see [`SeriesBudget`]).

/// The ₂F₁ series work a Pareto/NBD fit may do.
///
/// Why: where the data show no dropout, the likelihood rises without bound
/// as `β` (or `α`) grows against the other, and the series of
/// `₂F₁(a, b; a + 1; z)` needs about `β / α` terms a customer: the search
/// walked there and summed tens of billions of terms (minutes on 100,000
/// customers) before it gave up. So a pass over the data stops once it has
/// summed [`PASS_TERMS_PER_ROW`] terms a row on average, or the fit
/// [`FIT_TERMS_PER_ROW`] a row in all; that pass and every later one are
/// refused (NaN), and the fit ends as not converged
/// (`ClvError::NotConverged`; a comparison skips it), its best point
/// with the log-likelihood it had. A fit of real dropout sums far less:
/// CDNOW's passes sum 15–22 terms a row, 572 in all. The price: a fit that
/// needs that much work (`β / α` or `α / β` in the hundreds at the
/// customers' shortest histories) is refused rather than run for minutes.
/// On the benches' generator (no dropout), `crm clv fit --model
/// pareto_nbd` on 100,000 customers stops in 1.7 s, where it ran for more
/// than 300 s, and on a million in 12 s (reading included).
pub(super) struct SeriesBudget {
    rows: u64,
    total: std::cell::Cell<u64>,
    spent: std::cell::Cell<bool>,
    /// Every pass that was not refused: parameters, value and gradient
    /// (empty for a value pass), so that the best point's figures are
    /// still known once the budget is spent.
    done: std::cell::RefCell<Vec<DonePass>>,
}

/// A pass [`SeriesBudget`] remembers: parameters, value, gradient.
type DonePass = (Vec<f64>, f64, Vec<f64>);

impl SeriesBudget {
    pub(super) fn new(rows: usize) -> SeriesBudget {
        SeriesBudget {
            rows: (rows as u64).max(1),
            total: std::cell::Cell::new(0),
            spent: std::cell::Cell::new(false),
            done: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// One pass at `p` (`f` is given where to stop and returns NaN there),
    /// writing its gradient into `grad` (empty for a value pass). Once the
    /// budget is spent, only a pass done before is answered, from memory.
    pub(super) fn pass(
        &self,
        p: &[f64],
        grad: &mut [f64],
        f: impl FnOnce(&mut u64, u64, &mut [f64]) -> f64,
    ) -> f64 {
        if self.spent.get() {
            let done = self.done.borrow();
            let hit = done
                .iter()
                .find(|(q, _, g)| q.as_slice() == p && g.len() >= grad.len());
            return match hit {
                Some((_, v, g)) => {
                    grad.copy_from_slice(&g[..grad.len()]);
                    *v
                }
                None => f64::NAN,
            };
        }
        let mut terms = 0;
        let v = f(
            &mut terms,
            PASS_TERMS_PER_ROW.saturating_mul(self.rows),
            grad,
        );
        let total = self.total.get().saturating_add(terms);
        self.total.set(total);
        if terms > PASS_TERMS_PER_ROW.saturating_mul(self.rows)
            || total > FIT_TERMS_PER_ROW.saturating_mul(self.rows)
        {
            self.spent.set(true);
            return f64::NAN;
        }
        if v.is_finite() {
            self.done.borrow_mut().push((p.to_vec(), v, grad.to_vec()));
        }
        v
    }
}

/// The most series terms one pass may sum per data row, on average.
const PASS_TERMS_PER_ROW: u64 = 1_000;

/// The most series terms a fit may sum per data row, over all its passes.
const FIT_TERMS_PER_ROW: u64 = 100_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_over_the_budget_spends_it_and_only_passes_done_before_are_answered() {
        let b = SeriesBudget::new(10);
        let mut g = [0.0; 2];
        let value = b.pass(&[1.0, 2.0], &mut g, |_, limit, g| {
            assert_eq!(limit, 10 * PASS_TERMS_PER_ROW);
            g.copy_from_slice(&[3.0, 4.0]);
            1.5
        });
        assert_eq!(value, 1.5);
        // A pass that reaches its limit is refused, and so is every new one.
        assert!(
            b.pass(&[5.0, 6.0], &mut [], |t, limit, _| {
                *t = limit + 1;
                f64::NAN
            })
            .is_nan()
        );
        assert!(b.pass(&[7.0, 8.0], &mut [], |_, _, _| 0.0).is_nan());
        // The point done before keeps its value and gradient.
        let mut again = [0.0; 2];
        assert_eq!(b.pass(&[1.0, 2.0], &mut again, |_, _, _| f64::NAN), 1.5);
        assert_eq!(again, [3.0, 4.0]);
        assert_eq!(b.pass(&[1.0, 2.0], &mut [], |_, _, _| f64::NAN), 1.5);
        // The fit's total, pass by pass under the per-pass limit.
        let b = SeriesBudget::new(1);
        for k in 0..FIT_TERMS_PER_ROW / PASS_TERMS_PER_ROW {
            let v = b.pass(&[k as f64], &mut [], |t, limit, _| {
                *t = limit;
                0.0
            });
            assert_eq!(v, 0.0);
        }
        assert!(
            b.pass(&[-1.0], &mut [], |t, _, _| {
                *t = 1;
                0.0
            })
            .is_nan()
        );
    }
}
