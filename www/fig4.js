// The fig4 view (to be filled): registers window.reluViews.fig4 = { init(wasm), show(), hide() }.
