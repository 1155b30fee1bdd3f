"""The reference values of crm-core's clv::pareto_nbd_pmf tests.

Run by hand with lifetimes and mpmath installed (lifetimes 0.11.3, mpmath
1.3): prints, per case (n, t, x, t_x, T), lifetimes'
ParetoNBDFitter.conditional_probability_of_n_purchases_up_to_time and an
independent value: the posterior expectation over (lambda, mu), as a
30-digit mpmath double integral, of P(n purchases in (T, T+t] | lambda, mu,
history) (alive at T with the posterior odds; alive: Poisson(lambda t) if
the exponential lifetime outlasts t, else Poisson over the remaining life).
The four cases agreed to 1e-14 relative; the Rust test holds
lifetimes' figures.
"""

import mpmath as mp
import pandas as pd
from lifetimes import ParetoNBDFitter

mp.mp.dps = 30
r, alpha, s, beta = 0.5534, 10.5802, 0.6061, 11.6562
f = ParetoNBDFitter()
f.params_ = pd.Series({"r": r, "alpha": alpha, "s": s, "beta": beta})
cases = [
    (0, 39.0, 0, 0.0, 38.86),
    (2, 39.0, 2, 30.43, 38.86),
    (1, 10.0, 1, 2.0, 38.86),
    (3, 52.0, 7, 35.0, 38.0),
]


def brute(n, t, x, tx, T):
    r_, a_, s_, b_ = map(mp.mpf, (r, alpha, s, beta))
    n, t, x, tx, T = n, mp.mpf(t), mp.mpf(x), mp.mpf(tx), mp.mpf(T)

    def prior(lam, m):
        return (a_**r_ * lam ** (r_ - 1) * mp.e ** (-a_ * lam) / mp.gamma(r_)) * (
            b_**s_ * m ** (s_ - 1) * mp.e ** (-b_ * m) / mp.gamma(s_)
        )

    def lik(lam, m):
        return lam**x * (
            m / (lam + m) * mp.e ** (-(lam + m) * tx) + lam / (lam + m) * mp.e ** (-(lam + m) * T)
        )

    def alive(lam, m):
        return lam**x * mp.e ** (-(lam + m) * T)

    def A(lam, m):
        pois = mp.e ** (-lam * t) * (lam * t) ** n / mp.factorial(n)
        return mp.e ** (-m * t) * pois + m * lam**n / (lam + m) ** (n + 1) * mp.gammainc(
            n + 1, 0, (lam + m) * t, regularized=True
        )

    def joint(lam, m):
        pr = prior(lam, m)
        dead = lik(lam, m) - alive(lam, m)
        return pr * ((dead if n == 0 else 0) + alive(lam, m) * A(lam, m))

    L = mp.quad(
        lambda lam, m: prior(lam, m) * lik(lam, m), [0, 0.05, 0.5, mp.inf], [0, 0.05, 0.5, mp.inf]
    )
    J = mp.quad(joint, [0, 0.05, 0.5, mp.inf], [0, 0.05, 0.5, mp.inf])
    return J / L


for n, t, x, tx, T in cases:
    lt = f.conditional_probability_of_n_purchases_up_to_time(n, t, x, tx, T)
    b = brute(n, t, x, tx, T)
    print(n, t, x, tx, T, repr(float(lt)), mp.nstr(b, 17))
