// The engine's check-in app: registering every custom element; <frw-checkin-app> in index.html does the rest.
import './components/frw-camera.js';
import './components/frw-face-frame.js';
import './components/frw-checkin-panel.js';
import './components/frw-enrol-panel.js';
import './components/frw-people-list.js';
import './components/frw-attendance-table.js';
import './components/frw-checkin-app.js';
