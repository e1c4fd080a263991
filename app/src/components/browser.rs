//! What only a browser can do: save a file, copy text, upload a file. On the
//! server these do nothing (they run from event handlers, which never run there).

/// Offer `content` as a file download named `name`.
pub fn download(name: &str, mime: &str, content: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
        let document = leptos::prelude::document();
        if let Some(a) = document.create_element("a").ok().and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            a.set_href(&url);
            a.set_download(name);
            if let Some(body) = document.body() {
                let _ = body.append_child(&a);
                a.click();
                let _ = body.remove_child(&a);
            }
        }
        let _ = web_sys::Url::revoke_object_url(&url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, mime, content);
}

/// Put `text` on the clipboard.
pub fn copy(text: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window().navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// Upload a SQLite file into the caller's folder; its stored name.
#[cfg(feature = "hydrate")]
pub async fn upload_sqlite(file: web_sys::File) -> Result<String, String> {
    let name = file.name();
    let form = web_sys::FormData::new().map_err(|_| "Could not build the upload".to_owned())?;
    form.append_with_blob_and_filename("file", &file, &name).map_err(|_| "Could not read the file".to_owned())?;
    let response = gloo_net::http::Request::post("/databases/upload_sqlite")
        .body(form)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| format!("The server could not be reached: {e}"))?;
    if response.ok() {
        Ok(name)
    } else {
        let v: serde_json::Value = response.json().await.unwrap_or_default();
        Err(v["detail"].as_str().unwrap_or("The upload was refused").to_owned())
    }
}
