#!/usr/bin/env bash
# Renders the README's pictures from the program's own output: the wizard runs
# against --demo in tmux, each screen is captured with its colours
# (capture-pane -e) and drawn to PNG by charmbracelet/freeze.
#   go install github.com/charmbracelet/freeze@v0.2.2; docs/screenshots.sh
# freeze v0.2.2 keeps a background colour past SGR 49 (default background);
# the captures name freeze's own window colour (#171717) there instead, which
# draws the same and leaves the foreground alone.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/dmsticket
go build -o "$bin" .
state=$(mktemp -d)
out=docs/img
mkdir -p "$out"
s=dmsticket-shots
tmux kill-session -t $s 2>/dev/null || true
tmux new-session -d -s $s -x 100 -y 28 -c "$state" -e COLORTERM=truecolor -e XDG_STATE_HOME="$state" "$bin --demo"
shot() { sleep "${2:-0.6}"; tmux capture-pane -e -p -t $s | sed 's/\x1b\[49m/\x1b[48;2;23;23;23m/g' > "$state/$1.ansi"
  freeze "$state/$1.ansi" -o "$out/$1.svg" --window --padding 20 --font.size 14 --font.family "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" >/dev/null; }
keys() { tmux send-keys -t $s "$@"; sleep 0.25; }
shot 1-type 1.2
keys Enter; keys Enter; shot 2-database
keys "orders"; sleep 0.5; keys Enter
keys "SELECT o.id, o.total, o.created_at" Enter "FROM orders o" Enter "WHERE o.status = 'paid'" Enter "  AND o.created_at >= '2026-07-01'"
keys C-r; shot 3-sql 1
keys C-s; keys "Q3 paid orders for the finance close" Enter "quarterly revenue report" Enter "2000002, 2000004"; shot 4-details
keys Enter; keys Enter; keys Enter; shot 5-review
keys Enter; keys "orders"; shot 6-confirm
keys Enter; shot 7-result 1
# The result follows the ticket: the precheck (2 s in the demo), a submits it,
# approval (6 s for a production database), x runs the export, d downloads it
# (into the state directory, the session's working directory).
shot 8-ready 3.5
keys a; sleep 7.5; keys x; sleep 3.5; keys d; shot 9-downloaded 1.5
tmux kill-session -t $s
echo "wrote $out/*.svg"
