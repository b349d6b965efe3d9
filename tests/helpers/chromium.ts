export { CHROMIUM, launchChromium } from '../../bench/chromium.js';
