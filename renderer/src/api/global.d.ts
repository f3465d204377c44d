/** Set by the Electron preload; absent when the page is served by the browser host. */
interface Window {
  poolscope?: import('../../../shared/api').PoolscopeApi;
}
