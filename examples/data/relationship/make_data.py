"""Writes the made-up relationship sample (customers, answers, complaints,
referrals, offers) for examples/four_degrees.rs. Deterministic: a fixed seed,
no dependencies; run it again and the files are byte for byte the same."""

import random
from pathlib import Path

here = Path(__file__).parent
rng = random.Random(20240301)
N = 40


def write(name: str, header: str, rows: list[str]) -> None:
    (here / f"{name}.csv").write_text(header + "\n" + "\n".join(rows) + "\n")


customers, answers, complaints, referrals = [], [], [], []
for c in range(1, N + 1):
    value = rng.choice([rng.randint(20, 200), rng.randint(200, 900), rng.randint(900, 4000)])
    occasions = rng.randint(1, 8)
    tenure = rng.randint(10, 1500)
    spend = value
    category = "" if rng.random() < 0.3 else str(spend + rng.randint(0, 3 * spend))
    customers.append(f"{c},{value},{occasions},{tenure},{spend},{category}")
    if rng.random() < 0.7:  # 30 % never answer: unknown satisfaction
        d = rng.randint(1, 28)
        answers.append(f"{c},2024-03-{d:02d}T10:00:00Z,csat,{rng.choice([2, 3, 4, 4, 5, 5])}")
        answers.append(
            f"{c},2024-03-{d:02d}T10:05:00Z,nps,{rng.choice([3, 6, 7, 8, 9, 9, 10, 10])}"
        )
        if rng.random() < 0.5:
            answers.append(f"{c},2024-03-{d:02d}T10:10:00Z,ces,{rng.randint(2, 7)}")
    if rng.random() < 0.25:
        d = rng.randint(1, 27)
        h = rng.randint(8, 17)
        resolved = "" if rng.random() < 0.3 else f"2024-03-{d + 1:02d}T{h:02d}:30:00Z"
        channel = rng.choice(["phone", "email", "visit"])
        complaints.append(
            f"{c},{channel},2024-03-{d:02d}T{h:02d}:00:00Z,2024-03-{d:02d}T{h + 2:02d}:00:00Z,{resolved}"
        )
    if rng.random() < 0.2:
        referrals.append(f"{c},2024-03-{rng.randint(1, 30):02d}T12:00:00Z")
# one answer and one complaint outside the period: skipped and counted
answers.append("1,2024-02-20T10:00:00Z,csat,1")
complaints.append("2,phone,2024-02-10T09:00:00Z,2024-02-10T11:00:00Z,2024-02-11T09:00:00Z")

write("customers", "customer,value,occasions,tenure_days,spend,category_spend", customers)
write("answers", "customer,time,scale,score", answers)
write("complaints", "customer,channel,opened,first_response,resolved", complaints)
write("referrals", "referrer,time", referrals)

offers = [
    # segment, offer, product, service, personnel, image, price, hours, value of an hour, energy, physical
    ("business", "ours", 1200, 300, 150, 100, 1000, 2, 60, 40, 10),
    ("business", "rival_a", 1250, 150, 100, 150, 950, 5, 60, 80, 20),
    ("business", "rival_b", 1100, 200, 120, 80, 850, 4, 60, 60, 30),
    ("private", "ours", 1200, 300, 150, 100, 1000, 2, 15, 40, 10),
    ("private", "rival_a", 1250, 150, 100, 150, 950, 5, 15, 80, 20),
    ("private", "rival_b", 1100, 200, 120, 80, 850, 4, 15, 60, 30),
]
write(
    "offers",
    "segment,offer,product_value,service_value,personnel_value,image_value,monetary_cost,"
    "time_cost_quantity,time_cost_unit_value,energy_cost,physical_cost",
    [",".join(map(str, o)) for o in offers],
)
