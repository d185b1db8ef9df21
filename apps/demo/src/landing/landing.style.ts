/** /demo.css: a grid of cards, status badges coloured by class (2xx, 3xx, 4xx, 5xx). */
export const LANDING_STYLE = `:root {
  color-scheme: light;
  --bg: #f4f5f7;
  --card: #fff;
  --line: #dde1e6;
  --text: #1f2328;
  --muted: #656d76;
  --accent: #2f6feb;
  font:
    14px/1.45 system-ui,
    -apple-system,
    'Segoe UI',
    Roboto,
    sans-serif;
}
* {
  box-sizing: border-box;
}
[hidden] {
  display: none !important;
}
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
}
header {
  padding: 20px 24px 4px;
}
header h1 {
  margin: 0 0 4px;
  font-size: 22px;
}
header p {
  margin: 0;
  color: var(--muted);
  max-width: 900px;
}
a {
  color: var(--accent);
}
code {
  font:
    12px/1.4 ui-monospace,
    SFMono-Regular,
    Menlo,
    Consolas,
    monospace;
  background: #eef1f4;
  padding: 0 3px;
  border-radius: 3px;
}
.grid {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(380px, 1fr));
  gap: 16px;
  padding: 16px 24px 24px;
  align-items: start;
}
.card {
  background: var(--card);
  border: 1px solid var(--line);
  border-radius: 10px;
  padding: 14px 16px;
  box-shadow: 0 1px 2px rgba(0, 0, 0, 0.05);
  min-width: 0;
}
.card h2 {
  margin: 0 0 6px;
  font-size: 16px;
}
.card > p {
  margin: 0 0 10px;
  color: var(--muted);
}
.actions {
  display: flex;
  flex-wrap: wrap;
  gap: 8px;
  align-items: center;
  margin: 8px 0;
}
button {
  font: inherit;
  padding: 5px 12px;
  border: 1px solid var(--accent);
  background: var(--accent);
  color: #fff;
  border-radius: 6px;
  cursor: pointer;
}
button:hover {
  filter: brightness(1.1);
}
input,
select {
  font: inherit;
  padding: 4px 6px;
  border: 1px solid var(--line);
  border-radius: 5px;
}
input[type='number'] {
  width: 80px;
}
label {
  color: var(--muted);
}
.hint {
  color: var(--muted);
  font-style: italic;
}
.note {
  margin: 6px 0;
  min-height: 1em;
}
.result {
  border: 1px dashed var(--line);
  border-radius: 6px;
  padding: 6px 8px;
  margin: 8px 0;
  min-width: 0;
}
.result .line {
  display: flex;
  flex-wrap: wrap;
  gap: 8px;
  align-items: baseline;
}
.result .line.error {
  color: #b42318;
}
.result .req {
  font:
    12px ui-monospace,
    SFMono-Regular,
    Menlo,
    Consolas,
    monospace;
  overflow-wrap: anywhere;
}
.result .ms {
  color: var(--muted);
  font-size: 12px;
  margin-left: auto;
}
.badge {
  font-weight: 600;
  padding: 1px 8px;
  border-radius: 10px;
  color: #fff;
  background: var(--muted);
  white-space: nowrap;
}
.badge.s2 {
  background: #1a7f37;
}
.badge.s3 {
  background: #9a6700;
}
.badge.s4 {
  background: #cf222e;
}
.badge.s5 {
  background: #8250df;
}
.headers {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: 2px 10px;
  margin: 6px 0;
  font-size: 12px;
}
.headers dt {
  color: var(--muted);
}
.headers dd {
  margin: 0;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  overflow-wrap: anywhere;
}
.headers dd.absent {
  color: #aab1b9;
}
pre.body,
#mx-lines {
  margin: 4px 0 0;
  padding: 6px 8px;
  background: #f6f8fa;
  border-radius: 5px;
  font-size: 12px;
  max-height: 180px;
  overflow: auto;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}
.pair {
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(240px, 1fr));
  gap: 8px;
}
.pair .result {
  margin: 0;
}
.progress-line {
  display: flex;
  align-items: center;
  gap: 10px;
}
progress {
  flex: 1;
  height: 16px;
  accent-color: var(--accent);
}
.captcha {
  border-top: 1px solid var(--line);
  margin-top: 8px;
  padding-top: 8px;
}
.captcha img {
  display: block;
  background: #fff;
  border: 1px solid var(--line);
  border-radius: 4px;
}
.captcha .plain {
  display: inline-block;
  font-size: 20px;
  letter-spacing: 4px;
  padding: 4px 10px;
}
.form {
  display: grid;
  grid-template-columns: 1fr 1fr;
  gap: 6px 10px;
  margin: 8px 0;
}
.form label {
  display: flex;
  flex-direction: column;
  gap: 2px;
}
.form .wide,
.form .actions {
  grid-column: 1 / -1;
}
.form input {
  width: 100%;
}
table {
  border-collapse: collapse;
  font-size: 12px;
}
#pg-table {
  width: 100%;
}
#pg-table tbody {
  display: grid;
  grid-template-columns: repeat(5, 1fr);
}
#pg-table tr {
  display: contents;
}
#pg-table td {
  border: 1px solid var(--line);
  padding: 2px 6px;
  text-align: right;
}
#pg-table thead {
  display: none;
}
.stats th {
  text-align: left;
  color: var(--muted);
  font-weight: normal;
  padding: 1px 16px 1px 0;
}
.stats td {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  text-align: right;
}
iframe {
  width: 100%;
  height: 70px;
  border: 1px solid var(--line);
  border-radius: 6px;
  background: #fff;
}
output {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
`;
