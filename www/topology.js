// The topology view (to be filled): registers window.reluViews.topology = { init(wasm), show(), hide() }.
