#!/usr/bin/env bash
# The labelling loop of docs/analyst-loop.md on TweetEval sentiment (needs ../shared/data):
# base head on 100 tweets per label; +150 `brandfit uncertain` picks vs +150 random; val macro-F1.
# Run from a scratch directory: bash /path/to/benchmarks/analyst_loop.sh
export SHARED=${BRANDFIT_SHARED_DATA:-$(dirname "$0")/../../shared/data}
set -e
B="brandfit"
PY=${PYTHON:-python}
$PY - <<'P'
import json, random, csv, os
rows=[json.loads(l) for l in open(os.environ['SHARED'] + '/tweeteval/jsonl/sentiment/train.jsonl')]
random.Random(0).shuffle(rows)
by={}
base=[]
rest=[]
for r in rows:
    k=r['label_name']
    if by.get(k,0)<100: by[k]=by.get(k,0)+1; base.append(r)
    else: rest.append(r)
pool=rest[:5000]
def w(path, rs, label=True, ids=False):
    with open(path,'w',newline='') as f:
        wr=csv.writer(f); wr.writerow((['id'] if ids else [])+['text']+(['label'] if label else []))
        for i,r in enumerate(rs): wr.writerow(([f'p{i}'] if ids else [])+[r['text']]+([r['label_name']] if label else []))
w('base.csv', base); w('pool.csv', pool, label=False, ids=True)
json.dump({f'p{i}': r['label_name'] for i,r in enumerate(pool)}, open('truth.json','w'))
rnd=random.Random(1).sample(range(len(pool)),150)
w('random.csv',[pool[i] for i in rnd])
P
head -n 2001 "$SHARED"/tweeteval/jsonl/sentiment/val.jsonl > val.jsonl
$B train sentiment --data base.csv --models m_base --no-report 2>/dev/null
$B uncertain sentiment --input pool.csv --n 150 --out to_label.csv --models m_base 2>/dev/null
$PY - <<'P'
import json, pandas as pd
t=json.load(open('truth.json')); f=pd.read_csv('to_label.csv', keep_default_na=False)
f['label']=[t[i] for i in f['id']]; f.to_csv('labelled.csv', index=False)
print('label mix of picks', f['label'].value_counts().to_dict())
P
$B train sentiment --data base.csv --data labelled.csv --models m_unc --no-report 2>/dev/null
$B train sentiment --data base.csv --data random.csv --models m_rnd --no-report 2>/dev/null
for m in m_base m_unc m_rnd; do echo $m; $B evaluate sentiment --data val.jsonl --label-col label_name --models $m --no-report 2>/dev/null | tail -1; done
