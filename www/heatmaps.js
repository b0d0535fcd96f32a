// The heatmaps view (to be filled): registers window.reluViews.heatmaps = { init(wasm), show(), hide() }.
