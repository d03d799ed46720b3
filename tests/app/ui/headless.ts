/**
 * What Preact needs of the element it renders into when nothing it renders makes a node: components
 * that return null render in node with no document, and their renders are Preact's own.
 */
export const headless = () => ({ nodeType: 1, firstChild: null, childNodes: [] }) as unknown as HTMLElement;
