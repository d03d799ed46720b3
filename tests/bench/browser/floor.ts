/** The peer for first-load size: Preact and Dexie and nothing else, the floor of this stack. */
import Dexie from 'dexie';
import { h, render } from 'preact';

render(h('p', null, String(new Dexie('floor').verno)), document.body);
