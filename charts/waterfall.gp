# A case study's steps as a waterfall: the first bar is the naive program's
# median of the primary metric, each step's bar floats from the previous
# step's median to its own (green: what the step saved; red: what it cost),
# labelled with the change as a share of naive's total, so Amdahl's law is
# visible: a step can only remove what is left. The last own bar is the
# final program's total; peers (grep, ripgrep, a floor) follow it, grey.
# Variables (gnuplot -e): datafile, out, term ('svg' or 'png'), title, metric.
# Data columns: x "name" low high colour-index "label".

if (term eq 'svg') {
    set terminal svg size 820,400 dynamic enhanced font 'DejaVu Sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1640,800 enhanced font 'DejaVu Sans,22' background rgb 'white'
}
set output out
set title title.': '.metric.', step by step (median)' noenhanced
set border 3
set xtics nomirror scale 0 noenhanced rotate by -20
set ytics nomirror
set grid ytics lc rgb '#dddddd'
set ylabel metric noenhanced
set yrange [0:*]
set offsets 0.6, 0.6, graph 0.12, 0
set bmargin (term eq 'svg' ? 5 : 6)
set key off
set style fill solid 0.85 noborder
set linetype 1 lc rgb '#9a9a9a'
set linetype 2 lc rgb '#2ca02c'
set linetype 3 lc rgb '#d62728'
set linetype 4 lc rgb '#1f77b4'
set linetype 5 lc rgb '#c7c7c7'

lblfont = (term eq 'svg') ? ',10' : ',18'
plot datafile using 1:(($3+$4)/2):($1-0.4):($1+0.4):3:4:5:xtic(stringcolumn(2)) with boxxyerror lc variable, \
     '' using 1:4:6 with labels offset 0,0.8 font lblfont noenhanced
