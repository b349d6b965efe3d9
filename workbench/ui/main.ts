// The workbench's browser app: registering every custom element; <frw-app> in index.html does the rest.
import './components/frw-chart.js';
import './components/frw-status.js';
import './components/frw-face-pair.js';
import './components/frw-threshold-slider.js';
import './components/frw-job-progress.js';
import './components/frw-decision-report.js';
import './components/frw-group-rates.js';
import './components/frw-run-downloads.js';
import './views/frw-experiments-view.js';
import './views/frw-explorer-view.js';
import './views/frw-compare-view.js';
import './views/frw-identification-view.js';
import './views/frw-export-view.js';
import './views/frw-datasets-view.js';
import './views/frw-models-view.js';
import './components/frw-app.js';
