import { render } from 'preact';

render(<p>Rasid</p>, document.getElementById('app')!);
