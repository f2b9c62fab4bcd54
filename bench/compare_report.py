"""The output of bench/compare: one markdown table with ratios and the issue-5
targets, a JSON summary, gnuplot PNG charts (rate vs list size, latency
distribution) and the exit status (the harness worked: nothing lost, nothing
refused). Callers: bench/compare. Errors: gnuplot failing raises.
"""
import os
import subprocess

from compare_parts import percentile


def verdict(ok):
    return "met" if ok else "MISSED"


def accept_rows(res):
    nginx = res["accept"]["nginx"]["rps"]
    out = ["| accept (wrk -t1 -c50) | req/s | p50 ms | p99 ms | non-2xx + errors | peak RSS MB "
           "| × nginx | target |", "|---|---|---|---|---|---|---|---|"]
    for name in ("nginx", "sqlite", "postgresql"):
        a = res["accept"][name]
        rss = f"{a['rss_mb']:.0f}" if a.get("rss_mb") else "-"
        target = "-"
        if name == "sqlite":
            target = (f"≥ 0.5 × nginx: {verdict(a['rps'] >= 0.5 * nginx)}; "
                      f"p99 ≤ 5 ms: {verdict(a['p99'] <= 5)}")
        label = "nginx `return 200`" if name == "nginx" else f"campaignd {name}"
        out.append(f"| {label} | {a['rps']:,.0f} | {a['p50']:.2f} | {a['p99']:.2f} "
                   f"| {a['non2xx'] + a['errors']} | {rss} | {a['rps'] / nginx:.2f} | {target} |")
    return out


def delivery_rows(res):
    d = res["delivery"]
    rate = {k: v[0] / v[1] for k, v in d.items()}
    out = ["| delivery into smtp-sink | mails | seconds | mails/s | campaignd ÷ this | target |",
           "|---|---|---|---|---|---|"]
    labels = {"campaignd": "campaignd --role worker (SQLite, 8 workers, 8 connections)",
              "smtp-source": "smtp-source -d -s 8 -l 4096 → smtp-sink (raw)",
              "postfix": "smtp-source → Postfix → smtp-sink"}
    targets = {"smtp-source": ("≥ 0.5", 0.5), "postfix": ("≥ 2", 2.0)}
    for k in ("campaignd", "smtp-source", "postfix"):
        got, secs, queued = d[k]
        ratio = rate["campaignd"] / rate[k]
        target = "-"
        if k in targets:
            target = f"{targets[k][0]}: {verdict(ratio >= targets[k][1])}"
        out.append(f"| {labels[k]} | {got:,} of {queued:,} | {secs:.2f} | {rate[k]:,.0f} "
                   f"| {ratio:.2f} | {target} |")
    return out


def e2e_rows(res):
    out = [f"| end to end at {res['params']['e2e_rate']:,} req/s offered (open loop, "
           f"{res['params']['e2e_seconds']} s) | enqueued | refused/failed "
           "| not at sink 60 s after the load | p50 ms | p99 ms | max ms | HTTP p50 / p99 ms "
           "| target p99 ≤ 50 ms |",
           "|---|---|---|---|---|---|---|---|---|"]
    for engine, (e2e, http, enq, failed, missing) in res["e2e"].items():
        p99 = percentile(e2e, 99)
        out.append(f"| campaignd --role all, {engine} | {enq:,} | {failed} | {missing} "
                   f"| {percentile(e2e, 50):.1f} | {p99:.1f} | {max(e2e, default=0):.1f} "
                   f"| {percentile(http, 50):.1f} / {percentile(http, 99):.1f} "
                   f"| {verdict(p99 <= 50)} |")
    return out


def scale_rows(res):
    rows = res["scale"]
    out = ["| SQLite list size | rows generated in s | accept req/s | accept p99 ms "
           "| peak RSS MB | delivery mails/s | delivered | targets |",
           "|---|---|---|---|---|---|---|---|"]
    first = rows[0]
    for r in rows:
        a = r["accept"]
        rate = r["delivered"] / r["deliver_s"]
        fa = a["rps"] / first["accept"]["rps"] - 1
        fd = rate / (first["delivered"] / first["deliver_s"]) - 1
        out.append(f"| {r['size']:,} | {r['generate_s']:.1f} | {a['rps']:,.0f} | {a['p99']:.2f} "
                   f"| {a['rss_mb']:.0f} | {rate:,.0f} | {r['delivered']:,} of {r['queued']:,} "
                   f"in {r['deliver_s']:.1f} s | accept {fa:+.0%}, delivery {fd:+.0%} "
                   f"(≥ -10 %: {verdict(fa >= -0.1 and fd >= -0.1)}); RSS ≤ 150 MB: "
                   f"{verdict(a['rss_mb'] <= 150)} |")
    return out


def fairness_figures(run):
    """Client 1's mails/s delivered (first request due to last arrival),
    p50 and p99 (ms, request to arrival) in one run."""
    e2e, _http, enqueued, _failed, missing = run["e2e"]
    return {"delivered": enqueued - missing, "enqueued": enqueued,
            "rate": (enqueued - missing) / run["span_s"],
            "p50": percentile(e2e, 50), "p99": percentile(e2e, 99)}


def fairness_rows(res):
    f = res["fairness"]
    rate, secs = res["params"]["fair_rate"], res["params"]["fair_seconds"]
    out = [f"| fairness: client 1 at {rate} req/s for {secs} s (open loop, SQLite, --role all) "
           "| delivered | mails/s | p50 ms | p99 ms | target |", "|---|---|---|---|---|---|"]
    working = fairness_figures(f["client 2's relay working"])
    for label, run in f.items():
        got = fairness_figures(run)
        target = "-"
        if "hanging" in label:
            ok = got["rate"] >= 0.9 * working["rate"] and got["p99"] <= 1.1 * working["p99"]
            target = (f"rate and p99 within 10 % of the working run: {verdict(ok)} "
                      f"({got['rate'] / working['rate']:.2f} ×, p99 {got['p99'] / working['p99']:.2f} ×)")
        out.append(f"| {label} | {got['delivered']:,} of {got['enqueued']:,} | {got['rate']:,.0f} "
                   f"| {got['p50']:.1f} | {got['p99']:.1f} | {target} |")
    return out


def tracking_rows(res):
    t = res["tracking"]
    accept = t["accept"]["rps"]
    opens, clicks = t["recorded"]
    out = ["| tracking (wrk -t1 -c50, SQLite) | req/s | p50 ms | p99 ms | non-2xx/3xx + errors "
           "| × accept | target |", "|---|---|---|---|---|---|---|"]
    labels = {"accept": "accept path (sendeventmail, --role api)",
              "redirect": "GET /r/TOKEN → 302 (--role all)",
              "pixel": "GET /o/TOKEN.gif → GIF (--role all)"}
    for k in ("accept", "redirect", "pixel"):
        a = t[k]
        target = f"≥ 1 × accept: {verdict(a['rps'] >= accept)}" if k == "redirect" else "-"
        out.append(f"| {labels[k]} | {a['rps']:,.0f} | {a['p50']:.2f} | {a['p99']:.2f} "
                   f"| {a['non2xx'] + a['errors']} | {a['rps'] / accept:.2f} | {target} |")
    out.append(f"| events written meanwhile | opens {opens:,}, clicks {clicks:,} "
               f"(of {t['pixel']['requests']:,} + {t['redirect']['requests']:,} answered) "
               "| | | | | |")
    return out


def events_rows(res):
    out = ["| issue 11 (SQLite) | figure | target |", "|---|---|---|"]
    if "inbound" in res:
        i = res["inbound"]
        out.append(f"| inbound DSNs parsed and recorded (8 SMTP sessions) | {i['per_s']:,.0f}/s "
                   f"({i['accepted']} of {i['dsns']} in {i['seconds']:.2f} s; {i['recorded']} "
                   f"bounce events) | >= 500/s: {'met' if i['per_s'] >= 500 else 'MISSED'} |")
    if "webhooks" in res:
        w = res["webhooks"]
        out.append(f"| webhook events delivered to a local receiver | {w['per_s']:,.0f}/s | "
                   f">= 2,000/s: {'met' if w['per_s'] >= 2000 else 'MISSED'} |")
    if "loaded" in res:
        rates = {k: v["delivered"] / v["seconds"] for k, v in res["loaded"].items()}
        alone = rates.get("alone", 0)
        for k, v in res["loaded"].items():
            extra = f", {v['webhook_events']} webhook events received" if v["webhook_events"] else ""
            out.append(f"| delivery {k} | {rates[k]:,.0f} mails/s ({v['delivered']} of "
                       f"{v['queued']} in {v['seconds']:.1f} s{extra}) | |")
        if alone and len(rates) == 2:
            drop = 100 * (1 - rates["with webhooks and tracking"] / alone)
            out.append(f"| delivery's drop with webhooks and tracking running | {drop:.0f} % | "
                       f"<= 10 %: {'met' if drop <= 10 else 'MISSED'} |")
    return out


def table(res):
    short = " (SHORT mode: not figures)" if res["short"] else ""
    out = [f"machine: {res['machine']}; {res['date']}; load average at start {res['load_start']}, "
           f"at end {res.get('load_end', '?')}{short}",
           "disk: write 4 KiB + fdatasync p50 {:.1f} ms, p99 {:.1f} ms (the floor of a durable "
           "accept)".format(*res["fdatasync_ms"])]
    for key, rows in (("accept", accept_rows), ("delivery", delivery_rows), ("e2e", e2e_rows),
                      ("fairness", fairness_rows), ("tracking", tracking_rows),
                      ("inbound", events_rows), ("scale", scale_rows)):
        if key in res or (key == "inbound" and ("webhooks" in res or "loaded" in res)):
            out += [""] + rows(res)
    return "\n".join(out)


def summary(res):
    out = {k: v for k, v in res.items() if k not in ("e2e", "fairness")}
    if "fairness" in res:
        out["fairness"] = {label: fairness_figures(run) for label, run in res["fairness"].items()}
    if "e2e" in res:
        out["e2e"] = {e: {"enqueued": v[2], "failed": v[3], "missing": v[4],
                          "p50_ms": percentile(v[0], 50), "p99_ms": percentile(v[0], 99),
                          "http_p99_ms": percentile(v[1], 99)} for e, v in res["e2e"].items()}
    return out


def charts(res, out_dir, tmp):
    os.makedirs(out_dir, exist_ok=True)
    script = ["set terminal pngcairo size 800,500", "set grid", "set key top left"]
    if "scale" in res:
        data = os.path.join(tmp, "scale.dat")
        with open(data, "w") as f:
            for r in res["scale"]:
                f.write(f"{r['size']} {r['accept']['rps']} {r['delivered'] / r['deliver_s']}\n")
        script += [f"set output '{os.path.join(out_dir, 'rate-vs-list-size.png')}'",
                   "set title 'campaignd on SQLite: rate vs recipients in the list'",
                   "set logscale x", "set xlabel 'recipients in the list'",
                   "set ylabel 'per second'", "set yrange [0:*]",
                   f"plot '{data}' using 1:2 with linespoints title 'accept (req/s)', "
                   f"'{data}' using 1:3 with linespoints title 'delivery (mails/s)'",
                   "unset logscale x"]
    if "e2e" in res:
        plots = []
        for engine, (e2e, http, *_rest) in res["e2e"].items():
            for kind, values in (("request to mail at sink", e2e), ("HTTP answer", http)):
                data = os.path.join(tmp, f"lat-{engine}-{len(plots)}.dat")
                with open(data, "w") as f:
                    values = sorted(values)
                    for i, v in enumerate(values):
                        f.write(f"{v} {100 * (i + 1) / len(values)}\n")
                plots.append(f"'{data}' using 1:2 with lines title '{engine}: {kind}'")
        script += [f"set output '{os.path.join(out_dir, 'latency.png')}'",
                   f"set title 'latency at {res['params']['e2e_rate']} req/s offered (CDF)'",
                   "set logscale x", "set xlabel 'ms (log scale)'", "set ylabel 'percentile'",
                   "set yrange [0:100]", "set key bottom right", "plot " + ", ".join(plots)]
    subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True)


def check(res):
    """0 when the harness worked: every mail arrived, no request failed."""
    problems = []
    for name in ("sqlite", "postgresql"):
        a = res.get("accept", {}).get(name)
        if a and (a["rps"] <= 0 or a["non2xx"] or a["errors"]):
            problems.append(f"accept {name}: {a}")
    for k, (got, _secs, queued) in res.get("delivery", {}).items():
        if got < queued or queued == 0:
            problems.append(f"delivery {k}: {got} of {queued}")
    for engine, (_e, _h, enq, failed, missing) in res.get("e2e", {}).items():
        if failed or missing or enq == 0:
            problems.append(f"e2e {engine}: {failed} failed, {missing} missing")
    for label, run in res.get("fairness", {}).items():
        _e, _h, enq, failed, missing = run["e2e"]
        if failed or missing or enq == 0:
            problems.append(f"fairness {label}: {failed} failed, {missing} missing")
    t = res.get("tracking")
    if t:
        for k in ("redirect", "pixel"):
            if t[k]["rps"] <= 0 or t[k]["non2xx"] or t[k]["errors"]:
                problems.append(f"tracking {k}: {t[k]}")
        if t["recorded"][1] == 0:
            problems.append(f"tracking: no click recorded {t['recorded']}")
    i = res.get("inbound")
    if i and (i["accepted"] < i["dsns"] or i["recorded"] < i["accepted"]):
        problems.append(f"inbound: {i}")
    for k, v in res.get("loaded", {}).items():
        if v["delivered"] < v["queued"]:
            problems.append(f"loaded {k}: {v}")
    for r in res.get("scale", []):
        if r["delivered"] == 0 or r["accept"]["non2xx"]:
            problems.append(f"scale {r['size']}: {r}")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0
