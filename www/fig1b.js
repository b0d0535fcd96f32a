// The fig1b view (to be filled): registers window.reluViews.fig1b = { init(wasm), show(), hide() }.
